"""mmcv 2.1.0 under numpy 2: a negative hue shift must not crash.

``mmcv.adjust_hue`` adds ``np.uint8(hue_factor * 255)`` to the hue channel,
relying on the wrap-around numpy 1 applied to negative values. numpy 2
raises ``OverflowError`` when ``hue_factor`` is a Python float (as
mmpretrain's ``ColorJitter`` passes it), so the MoCo v2 pipeline of the LGD
configs (``hue=0.1``) failed on about half of the jittered images. A numpy
scalar still wraps, so the patched function only hands mmcv the factor as
``np.float64``; results are the ones numpy 1 gave.

Scope: ``import mmlgd`` installs it (documented in the package docstring)
only under numpy >= 2, where the crash exists; under numpy 1 mmcv is left
untouched. Only ``adjust_hue`` is replaced, with a function that gives
mmcv's own results for every input it did not crash on.
"""
import mmcv
import mmcv.image
import mmcv.image.photometric as photometric
import numpy as np

_original = photometric.adjust_hue


def adjust_hue(img: np.ndarray, hue_factor: float, backend=None):
    """``mmcv.adjust_hue`` with the numpy-2 fix (same args and result)."""
    return _original(img, np.float64(hue_factor), backend=backend)


def needed() -> bool:
    """True under numpy >= 2 (where mmcv 2.1's ``adjust_hue`` crashes)."""
    return np.lib.NumpyVersion(np.__version__) >= '2.0.0'


def install() -> bool:
    """Route ``mmcv.adjust_hue`` through :func:`adjust_hue` when
    :func:`needed`. Idempotent.

    Returns:
        bool: whether the patch is in place.
    """
    if not needed():
        return False
    for module in (mmcv, mmcv.image, photometric):
        module.adjust_hue = adjust_hue
    return True
