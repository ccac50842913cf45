"""Open vocabulary after export (docs/deployment.md): the ONNX metadata's
preprocessing geometry + the ``embedding`` output x a new ``.npy`` TSB from
tools/build_tsb.py reproduce ZeroShotInferencer (tools/infer.py) on the
same names, without mmcv or PyTorch on the deployment side."""
import json
import os.path as osp

import numpy as np
import pytest
from _deploy_helpers import write_run

pytest.importorskip('onnx')
ort = pytest.importorskip('onnxruntime')
pytest.importorskip('onnxscript')

from mmlgd.apis import ZeroShotInferencer  # noqa: E402
from mmlgd.cli.build_tsb import main as build_tsb_main  # noqa: E402
from mmlgd.deployment import export_onnx  # noqa: E402

NEW_NAMES = ['kayak', 'lighthouse', 'teapot', 'giraffe']
# The LGD runs' validation view (configs/_base_/datasets/
# imagenet_lgd_zero-shot-val.py) scaled to 32 px: no test pipeline, so the
# run's zero-shot validation pipeline is the inference one.
VAL = '''
test_pipeline = None
val_dataloader = dict(dataset=dict(type='CustomDataset', data_root='x',
    pipeline=[dict(type='StrictLoadImageFromFile'),
              dict(type='MultiView', num_views=1, transforms=[[
                  dict(type='ResizeEdge', scale=37, edge='short',
                       backend='pillow', interpolation='bilinear'),
                  dict(type='CenterCrop', crop_size=32)]]),
              dict(type='PackInputs')]))
'''
# (height, width): landscape, portrait, square, smaller than the crop side
SIZES = [(48, 80), (90, 41), (37, 37), (30, 52), (64, 64)]


def preprocess(path, pp):
    """What docs/deployment.md tells a deployment to do: the ONNX file's
    ``preprocess`` metadata applied with PIL and numpy only."""
    from PIL import Image
    img = Image.open(path).convert('RGB')
    resize, crop = pp['resize'], pp['crop']
    if resize and resize['mode'] == 'edge':
        assert resize['edge'] == 'short' and resize['backend'] == 'pillow'
        w, h = img.size
        s = resize['size']
        size = (s, int(s * h / w)) if w < h else (int(s * w / h), s)
        img = img.resize(size, Image.BILINEAR)
    if crop:
        ch, cw = crop['size']
        w, h = img.size
        top, left = round((h - ch) / 2), round((w - cw) / 2)
        img = img.crop((left, top, left + min(cw, w), top + min(ch, h)))
    x = np.asarray(img, dtype=np.float32)  # H, W, RGB
    if pp['channel_order'] == 'BGR':
        x = x[..., ::-1]
    x = (x - np.float32(pp['mean'])) / np.float32(pp['std'])
    return x.transpose(2, 0, 1)[None]


@pytest.fixture
def run(tiny_clip, tmp_path):
    cfg, ckpt = write_run(str(tmp_path / 'run'), tiny_clip,
                          str(tmp_path / 'tsb'))
    with open(cfg, 'a') as f:
        f.write(VAL)
    return cfg, ckpt


def test_onnx_with_new_npy_tsb_matches_inferencer(run, tmp_path):
    import mmcv
    import onnx
    cfg, ckpt = run
    rng = np.random.default_rng(0)
    images = []
    for i, hw in enumerate(SIZES):
        images.append(str(tmp_path / 'img' / f'{i}.png'))
        mmcv.imwrite(rng.integers(0, 256, (*hw, 3), dtype=np.uint8),
                     images[-1])
    out = str(tmp_path / 'student.onnx')
    export_onnx(cfg, out, ckpt)  # the run's own classes
    meta = {p.key: json.loads(p.value) for p in onnx.load(out).metadata_props}
    pp = meta['preprocess']
    assert pp['resize'] == dict(
        mode='edge', edge='short', size=37, interpolation='bilinear',
        backend='pillow', rule=pp['resize']['rule'])
    assert pp['crop']['size'] == [32, 32] and pp['input_size'] == [32, 32]
    assert pp['channel_order'] == 'RGB' and pp['scale'] == '0-255'

    # a TSB for names the export never saw, as a plain .npy + names file
    npy = str(tmp_path / 'new' / 'tsb.npy')
    build_tsb_main([cfg, '--classes', ','.join(NEW_NAMES), '--out', npy,
                    '--cfg-options', f'model.tsb.cache_dir={tmp_path}/c'])
    tsb = np.load(npy)
    assert tsb.dtype == np.float32 and tsb.shape == (4, 32)
    np.testing.assert_allclose(np.linalg.norm(tsb, axis=1), 1, atol=1e-6)
    with open(osp.join(tmp_path, 'new', 'tsb.txt')) as f:
        assert f.read().splitlines() == NEW_NAMES

    sess = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
    x = np.concatenate([preprocess(p, pp) for p in images])
    (z, ) = sess.run(['embedding'], {'input': x})
    logits = meta['logit_scale'] * z @ tsb.T
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)

    want = ZeroShotInferencer(cfg, ckpt, classes=NEW_NAMES,
                              tsb_cache_dir=str(tmp_path / 'c2'))(images)
    want = np.stack([r['pred_scores'] for r in want])
    np.testing.assert_allclose(probs, want, atol=1e-4, rtol=0)
    assert (probs.argmax(1) == want.argmax(1)).all()


def test_build_tsb_npy_refuses_overwrite(run, tmp_path):
    cfg, _ = run
    npy = str(tmp_path / 'tsb.npy')
    opts = ['--cfg-options', f'model.tsb.cache_dir={tmp_path}/c']
    build_tsb_main([cfg, '--classes', 'a,b', '--out', npy, *opts])
    before = open(npy, 'rb').read()
    with pytest.raises(SystemExit, match='already exists.*--force'):
        build_tsb_main([cfg, '--classes', 'c,d,e', '--out', npy, *opts])
    assert open(npy, 'rb').read() == before
    build_tsb_main([cfg, '--classes', 'c,d,e', '--out', npy, '--force',
                    *opts])
    assert np.load(npy).shape == (3, 32)
    assert open(str(tmp_path / 'tsb.txt')).read() == 'c\nd\ne\n'
    assert sorted(p.name for p in tmp_path.iterdir()
                  if p.is_file()) == ['tsb.npy', 'tsb.txt']  # no temp files
