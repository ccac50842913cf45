"""The own-data path of README "Using it": the shipped template
(configs/lgd/..._custom-folder.py) with a user's 5-line child config on a
generated folder (sub-folders, images of mixed sizes) and a names file:
pre-train with zero-shot validation, tools/test.py zero-shot on the
labelled folder, then tools/infer.py and tools/build_tsb.py with new
names. The teacher is a tiny open_clip model at the template's 224 px,
loaded from a local file with its own ``model_config`` (the user's path for
a local architecture)."""
import json
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from _tiny_clip import TINY_CLIP_CFG, write_tiny_clip

from mmlgd.apis import ZeroShotInferencer, infer_images
from mmlgd.cli import test as test_cli
from mmlgd.cli import train as train_cli
from mmlgd.cli.build_tsb import main as build_tsb_main
from mmlgd.utils.configs import config_path

TEMPLATE = 'lgd/lgd_clip-rn50_mobilenet-v2_8xb256-200e_custom-folder.py'
# Sorted already: mmpretrain numbers class folders in sorted order (the
# label / TSB alignment for any order is tested with that fix).
NAMES = ['bag', 'boot', 'coat', 'shirt', 'sneaker']
# (height, width) of the generated images: mixed, some smaller than 224
SIZES = [(20, 30), (64, 48), (300, 120), (33, 33), (90, 250), (224, 224)]
CHILD = '''
_base_ = {template!r}
train_dataloader = dict(dataset=dict(data_root={train!r}))
val_dataloader = dict(dataset=dict(data_root={val!r}))
test_dataloader = val_dataloader
model = dict(target_generator={clip!r},
             tsb=dict(classes={names!r}, encoder={clip!r}))
'''
# What only this CPU test adds, in a child of the user's config: tiny
# batches, one epoch, no AMP, one template, a private TSB cache.
SHRINK = '''
_base_ = {user!r}
loader = dict(batch_size=4, num_workers=0, persistent_workers=False,
              pin_memory=False)
train_dataloader = dict(**loader)
val_dataloader = dict(**loader)
test_dataloader = dict(**loader)
model = dict(tsb=dict(templates=['a photo of a {{}}.'], cache_dir={tsb!r},
                      use_tqdm=False))
optim_wrapper = dict(_delete_=True, type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
log_level = 'WARNING'
'''


def _write_image(path, hw, rng):
    import mmcv
    mmcv.imwrite(rng.integers(0, 256, (*hw, 3), dtype=np.uint8), path)


@pytest.fixture(scope='module')
def own_data(tmp_path_factory):
    """A user's data: 12 unlabelled images in two sub-folders (and none of
    them is a class), 2 labelled images per category, a names file."""
    root = tmp_path_factory.mktemp('own_data')
    rng = np.random.default_rng(0)
    for i in range(12):
        sub = ('holiday', 'misc/2024')[i % 2]
        _write_image(str(root / 'unlabelled' / sub / f'{i:02d}.png'),
                     SIZES[i % len(SIZES)], rng)
    for k, name in enumerate(NAMES):
        for i in range(2):
            _write_image(str(root / 'val' / name / f'{i}.png'),
                         SIZES[(k + i) % len(SIZES)], rng)
    (root / 'names.txt').write_text(''.join(f'{n}\n' for n in NAMES))
    return root


@pytest.fixture(scope='module')
def tiny_clip224(tmp_path_factory):
    """A tiny open_clip model at 224 px (the template's crop), written to a
    local file with its own model config JSON."""
    name = 'mmlgd-tiny-rn224'
    cfg = dict(TINY_CLIP_CFG, vision_cfg=dict(TINY_CLIP_CFG['vision_cfg'],
                                              image_size=224))
    cfg_path, weights = write_tiny_clip(
        str(tmp_path_factory.mktemp('clip224')), name, cfg)
    return dict(model_name=name, pretrained=weights, model_config=cfg_path)


@pytest.fixture(scope='module')
def user_config(own_data, tiny_clip224):
    """The user's child config of the template, and its CPU-test child."""
    user = own_data / 'my_task.py'
    user.write_text(CHILD.format(
        template=config_path(TEMPLATE), train=str(own_data / 'unlabelled'),
        val=str(own_data / 'val'), names=str(own_data / 'names.txt'),
        clip=tiny_clip224))
    path = own_data / 'my_task_cpu.py'
    path.write_text(SHRINK.format(user=str(user), tsb=str(own_data / 'tsb')))
    return str(path)


@pytest.mark.e2e
def test_template_trains_validates_tests_and_infers(user_config, own_data,
                                                    tmp_path):
    work = str(tmp_path / 'work')
    runner = train_cli.run([user_config, '--work-dir', work])

    # all 12 images of the sub-folders, 3 iterations of 4, then validation
    assert len(runner.train_dataloader.dataset) == 12
    assert runner.iter == 3
    model = runner.model
    assert model.tsb.classes == NAMES
    assert tuple(model.tsb.weight.shape) == (5, 32)
    assert runner.val_dataloader.dataset.metainfo['classes'] == tuple(NAMES)
    hub = runner.message_hub
    for key in ('accuracy/top1', 'accuracy/top5', 'teacher_zero_shot/top1'):
        assert 0 <= hub.get_scalar(f'val/{key}').current() <= 100, key
    ckpt = osp.join(work, 'epoch_1.pth')
    assert osp.isfile(ckpt)

    # tools/test.py: zero-shot on the labelled folder, predictions dumped
    out = str(tmp_path / 'preds.pkl')
    metrics = test_cli.run([user_config, ckpt, '--work-dir', work,
                             '--out', out])
    with open(out, 'rb') as f:
        dumped = pickle.load(f)
    assert len(dumped) == 10
    paths = [d['img_path'] for d in dumped]
    truth = [NAMES.index(osp.basename(osp.dirname(p))) for p in paths]

    # independent reference: the inferencer (tools/infer.py's model and
    # preprocessing) on the same files, labels from the folder names
    inferencer = ZeroShotInferencer(ckpt)
    assert inferencer.classes == NAMES
    results = inferencer(paths)
    want = torch.stack([torch.as_tensor(r['pred_scores']) for r in results])
    got = torch.stack([d['pred_score'] for d in dumped])
    torch.testing.assert_close(got, want, atol=1e-5, rtol=0)
    top1 = 100 * float(np.mean([r['pred_label'] == t
                                for r, t in zip(results, truth)]))
    assert metrics['accuracy/top1'] == pytest.approx(top1, abs=1e-4)

    # tools/infer.py with names chosen later (the run's text encoder)
    pred_json = str(tmp_path / 'new.json')
    rows = infer_images([str(own_data / 'val' / 'bag')], ckpt,
                        classes=['handbag', 'backpack', 'suitcase'],
                        out=pred_json)
    assert len(rows) == 2
    with open(pred_json) as f:
        saved = json.load(f)
    assert saved['classes'] == ['handbag', 'backpack', 'suitcase']
    assert all(r['pred_class'] in saved['classes'] for r in saved['results'])

    # tools/build_tsb.py from the checkpoint: the same TSB rows, as .npy
    npy = str(tmp_path / 'new_tsb.npy')
    build_tsb_main([ckpt, '--classes', 'handbag,backpack,suitcase', '--out',
                    npy])
    want = ZeroShotInferencer(ckpt, classes=saved['classes']).model.tsb
    np.testing.assert_allclose(np.load(npy), want.weight.numpy(), atol=1e-6)
