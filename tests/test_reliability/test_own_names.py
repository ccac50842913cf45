"""A user's folder and names file, 4 categories (issue 21.1-3, 21.9, 21.10):
labels vs TSB rows checked before any iteration (train and tools/test.py),
top-k capped at K=4 in the student's and the teacher's validation, training
from a teacher cache with a validation loop, checkpoints that load with a
plain ``torch.load(weights_only=True)`` without mmlgd, and the category
names with their source in the log."""
import glob
import os.path as osp
import subprocess
import sys

import _tiny_lgd as tl
import pytest
import torch
from mmengine.config import Config

from mmlgd.apis import build_runner
from mmlgd.apis import teacher_cache as tc
from mmlgd.cli import test as test_cli
from mmlgd.cli import train as train_cli

USER_ORDER = ['top', 'bottom', 'footwear', 'bag']  # not sorted
PIPELINE = [dict(type='StrictLoadImageFromFile'),
            dict(type='Resize', scale=(tl.SIZE, tl.SIZE)),
            dict(type='PackInputs')]
MEAN = [122.770938, 116.7460125, 104.09373615]
STD = [68.5005327, 66.6321579, 70.32316305]


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    """Unlabelled train images, a labelled val folder (one sub-folder per
    category) and two names files: the user's order and the folders'."""
    root = tmp_path_factory.mktemp('own')
    tl.write_images(str(root / 'train'), 4)
    for i, name in enumerate(USER_ORDER):
        tl.write_images(str(root / 'val'), 2, seed=20 + i, sub=name)
    (root / 'user.txt').write_text('\n'.join(USER_ORDER) + '\n')
    (root / 'sorted.txt').write_text('\n'.join(sorted(USER_ORDER)) + '\n')
    return root


def _loader(val_root, pipeline):
    return dict(batch_size=2, num_workers=0, persistent_workers=False,
                sampler=dict(type='DefaultSampler', shuffle=False),
                collate_fn=dict(type='default_collate'),
                dataset=dict(type='CustomDataset', data_root=val_root,
                             serialize_data=False, pipeline=pipeline))


def _train_config(root, tiny_clip, names, tmp_path):
    view = [PIPELINE[0], dict(type='MultiView', num_views=1, transforms=[
        [PIPELINE[1]]]), PIPELINE[2]]
    path = tl.write_lgd_config(
        str(tmp_path / 'lgd.py'), tiny_clip, str(root / 'train'),
        str(root / 'tsb'), pipeline=tl.fixed_pipeline(),
        extra_hooks=[dict(type='TeacherZeroShotHook')],  # topk (1, 5)
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=3,
                       val_interval=3),
        val_dataloader=_loader(str(root / 'val'), view),
        val_evaluator=dict(type='Accuracy', topk=(1, 5)),
        val_cfg=dict(type='ValLoop'))
    cfg = Config.fromfile(path)
    cfg.model.tsb.classes = str(root / names)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.dump(path)
    return path, cfg


def _student_accuracy(runner):
    """Top-1 (%) over the val set by hand: argmax of z_S L^T."""
    model = runner.model.eval()
    hits = n = 0
    with torch.no_grad():
        for batch in runner.val_dataloader:
            x = model.data_preprocessor(batch, False)['inputs'][0]
            pred = (model.embed(x) @ model.tsb.weight.T).argmax(1)
            labels = torch.cat([d.gt_label for d in batch['data_samples']])
            hits += int((pred == labels).sum())
            n += len(labels)
    return 100.0 * hits / n


def _log(work_dir):
    (path, ) = glob.glob(osp.join(work_dir, '*', '*.log'))
    with open(path) as f:
        return f.read()


@pytest.mark.e2e
def test_names_file_in_another_order_is_refused_before_training(
        data, tiny_clip, tmp_path):
    path, cfg = _train_config(data, tiny_clip, 'user.txt', tmp_path)
    with pytest.raises(ValueError) as err:
        train_cli.run([path])
    msg = str(err.value)
    assert "label 0 = 'bag' vs row 0 = 'top'" in msg
    assert str(sorted(USER_ORDER)) in msg  # the fix, ready to paste
    assert not glob.glob(osp.join(cfg.work_dir, '*.pth'))  # nothing ran


@pytest.mark.e2e
def test_four_classes_train_validate_test_and_plain_load(data, tiny_clip,
                                                         tmp_path):
    path, cfg = _train_config(data, tiny_clip, 'sorted.txt', tmp_path)
    runner = train_cli.run([path])

    hub = runner.message_hub
    top1 = hub.get_scalar('val/accuracy/top1').current()
    assert top1 == pytest.approx(_student_accuracy(runner))
    # top-5 of 4 classes capped at top-4: every label is in it
    assert hub.get_scalar('val/accuracy/top4').current() == 100.0
    assert 'val/accuracy/top5' not in hub.log_scalars
    assert hub.get_scalar('val/teacher_zero_shot/top4').current() == 100.0
    log = _log(cfg.work_dir)
    assert ("TSB categories (K=4, row order) from names file "
            f"'{data / 'sorted.txt'}': bag, bottom, footwear, top") in log
    assert 'labels of the class folders' in log and 'capped' in log

    # 21.9: a fresh interpreter, torch only (no mmlgd, no allow-list)
    ckpt = osp.join(cfg.work_dir, 'iter_3.pth')
    code = ('import sys, torch; c = torch.load(sys.argv[1], '
            "weights_only=True); assert 'mmlgd' not in sys.modules; "
            "print(type(c['message_hub']['runtime_info']['eta']).__name__)")
    done = subprocess.run([sys.executable, '-c', code, ckpt],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == 'float'

    # tools/test.py: the same student through a ZeroShotClassifier
    def zero_shot(names):
        zs = Config(dict(  # no runtime base: tools/test.py adds the check
            default_scope='mmpretrain',
            model=dict(
                type='ZeroShotClassifier',
                data_preprocessor=dict(type='ClsDataPreprocessor', mean=MEAN,
                                       std=STD, to_rgb=True),
                backbone=cfg.model.backbone, neck=dict(
                    type='LGKANeck', in_channels=64),
                tsb=dict(cfg.model.tsb, classes=str(data / names))),
            test_dataloader=_loader(str(data / 'val'), PIPELINE),
            test_evaluator=dict(type='Accuracy', topk=(1, 5)),
            test_cfg=dict()))
        zs_path = str(tmp_path / f'zs_{names}.py')
        zs.dump(zs_path)
        return test_cli.run([zs_path, ckpt, '--work-dir',
                              str(tmp_path / f'zs_{names}')])

    metrics = zero_shot('sorted.txt')
    assert metrics['accuracy/top1'] == pytest.approx(top1)
    assert metrics['accuracy/top4'] == 100.0
    with pytest.raises(ValueError, match='do not match the TSB rows'):
        zero_shot('user.txt')


@pytest.mark.e2e
def test_train_from_teacher_cache_with_validation(data, tiny_clip, tmp_path):
    _, cfg = _train_config(data, tiny_clip, 'sorted.txt', tmp_path)
    cache = str(tmp_path / 'cache')
    tc.build_teacher_cache(cfg, cache, 2, seed=0, shard_size=4,
                           batch_size=4)
    cached = tc.cached_config(cfg, cache)
    runner = build_runner(cached)
    runner.train()
    hub = runner.message_hub
    assert hub.get_scalar('val/accuracy/top1').current() == pytest.approx(
        _student_accuracy(runner))
    assert 'val/teacher_zero_shot/top1' not in hub.log_scalars
    assert 'Teacher zero-shot: skipped, the teacher is a teacher-' \
        'embedding cache (CachedTeacher)' in _log(cfg.work_dir)
