"""mmcv as installed: ``import mmlgd`` replaces none of its functions, and
its ``adjust_hue`` (built with the numpy-2 fix by tools/install.sh) wraps
negative hue shifts as numpy 1 did instead of crashing."""
import colorsys
import json
import os
import subprocess
import sys

import mmcv
import numpy as np
import pytest

import mmlgd.datasets.transforms.mmcv_numpy2 as hue_check

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Snapshot every callable attribute of every loaded mmcv / mmengine module
# (holding the objects, so a replaced one cannot hand its id to another),
# import mmlgd, and list what is no longer the same object. As a control,
# a real patch afterwards must be found by the same comparison.
IDENTITY_SCRIPT = r'''
import json, sys, types
import mmcv, mmcv.image, mmcv.image.photometric, mmcv.transforms
import mmengine, mmengine.runner, mmengine.runner.checkpoint

def snapshot():
    out = {}
    for name, mod in list(sys.modules.items()):
        if mod is None or name.split('.')[0] not in ('mmcv', 'mmengine'):
            continue
        for attr, val in list(vars(mod).items()):
            if callable(val) and not isinstance(val, types.ModuleType):
                out[f'{name}.{attr}'] = val
    return out

def changed(before, after):
    return sorted(k for k, v in before.items() if after.get(k) is not v)

before = snapshot()
import mmlgd
after = snapshot()
mmcv.image.photometric.adjust_hue = lambda *a, **k: None  # the control
control = snapshot()
print(json.dumps(dict(checked=len(before), changed=changed(before, after),
                      control=changed(before, control))))
'''


@pytest.mark.e2e
def test_import_mmlgd_replaces_no_mmcv_or_mmengine_function():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep +
               os.environ.get('PYTHONPATH', ''))
    out = subprocess.run([sys.executable, '-c', IDENTITY_SCRIPT], env=env,
                         cwd=ROOT, capture_output=True, text=True,
                         timeout=300, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result['checked'] > 100  # the snapshot saw mmcv's functions
    assert result['changed'] == []
    assert result['control'] == ['mmcv.image.photometric.adjust_hue']


def _hue(bgr: np.ndarray) -> np.ndarray:
    """Hue of each pixel in cycles [0, 1), from the HSV definition
    (stdlib ``colorsys``; independent of mmcv, cv2 and PIL)."""
    rgb = bgr[..., ::-1].reshape(-1, 3) / 255.0
    return np.array([colorsys.rgb_to_hsv(*p)[0] for p in rgb])


def _saturated_image() -> np.ndarray:
    """16x16 BGR uint8 image of random hues with saturation and value in
    [0.7, 1], where 8-bit RGB pins the hue to within ~0.002 cycles."""
    rng = np.random.default_rng(0)
    hsv = np.stack([rng.random(256), rng.uniform(0.7, 1, 256),
                    rng.uniform(0.7, 1, 256)], 1)
    rgb = np.array([colorsys.hsv_to_rgb(*p) for p in hsv])
    return np.round(255 * rgb).astype(np.uint8)[:, ::-1].reshape(16, 16, 3)


@pytest.mark.parametrize('backend', ['cv2', 'pillow'])
def test_negative_hue_factor_wraps_like_numpy1(backend):
    """``hue_factor=-0.1`` (a Python float, as mmpretrain's ColorJitter
    passes it) crashed mmcv 2.1.0 under numpy 2 (``np.uint8(-25.5)``);
    numpy 1 wrapped it to 231, i.e. the hue moves by -25 of its 256 levels.
    """
    assert mmcv.adjust_hue.__module__ == 'mmcv.image.photometric'
    img = _saturated_image()
    out = mmcv.adjust_hue(img, -0.1, backend=backend)
    assert out.shape == img.shape and out.dtype == np.uint8
    want = (_hue(img) - 25 / 256) % 1.0
    err = np.abs((_hue(out) - want + 0.5) % 1.0 - 0.5)  # circular distance
    # 0.02 cycles covers 8-bit HSV rounding; no shift, a clamp to 0 (0.098)
    # or the wrong sign (0.195) are far outside it.
    assert err.max() < 0.02, err.max()


def test_hue_bug_is_reported_not_patched(monkeypatch):
    """With an mmcv whose adjust_hue overflows, the check logs one warning
    naming the fix and leaves the function in place; with the installed
    (fixed) mmcv it logs nothing."""
    import mmcv.image.photometric as photometric
    import mmengine.logging
    logged = []
    monkeypatch.setattr(mmengine.logging, 'print_log',
                        lambda msg, **kw: logged.append((msg, kw)))
    assert not hue_check.has_hue_bug()  # tools/install.sh's mmcv
    assert not hue_check.warn_if_hue_bug() and logged == []

    def buggy(img, hue_factor, backend=None):  # mmcv 2.1.0 + numpy 2
        raise OverflowError('Python integer -25 out of bounds for uint8')

    monkeypatch.setattr(photometric, 'adjust_hue', buggy)
    assert hue_check.has_hue_bug()
    assert hue_check.warn_if_hue_bug()
    (msg, kw), = logged
    assert 'tools/install.sh' in msg and kw['level'] == 30  # WARNING
    assert photometric.adjust_hue is buggy  # nothing patched
