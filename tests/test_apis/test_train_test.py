"""tools/train.py and tools/test.py machinery (:mod:`mmlgd.apis.train`,
:mod:`mmlgd.apis.test`) on mmpretrain, mmdet and mmseg configs: flags ->
cfg, cross-library registry resolution, a tiny run."""
import os.path as osp
import pickle
import textwrap

import numpy as np
import pytest
from mmengine.device import get_device
from mmengine.runner import Runner

from mmlgd.apis import build_runner, load_config
from mmlgd.apis import train as train_api
from mmlgd.cli import test as test_cli
from mmlgd.cli import train as train_cli

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def train_tool():
    return train_api


@pytest.fixture(scope='module')
def test_tool():
    return test_cli


# mmdet: the paper's downstream Mask R-CNN 1x on COCO, with an mmpretrain
# ResNet-18 backbone resolved across registries from inside the mmdet scope.
# (Only built: the COCO files are never read.)
DET_CFG = """
_base_ = ['mmdet::_base_/models/mask-rcnn_r50_fpn.py',
          'mmdet::_base_/datasets/coco_instance.py',
          'mmdet::_base_/schedules/schedule_1x.py',
          'mmdet::_base_/default_runtime.py']
custom_imports = dict(imports=['mmlgd'], allow_failed_imports=False)
model = dict(
    backbone=dict(_delete_=True, type='mmpretrain.ResNet', depth=18,
                  out_indices=(0, 1, 2, 3)),
    neck=dict(in_channels=[64, 128, 256, 512]))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}),
    clip_grad=dict(max_norm=35, norm_type=2))
"""

# mmseg: UperNet on ADE20K with an mmpretrain ResNet-18 backbone (built only).
SEG_CFG = """
_base_ = ['mmseg::_base_/models/upernet_r50.py',
          'mmseg::_base_/datasets/ade20k.py',
          'mmseg::_base_/schedules/schedule_20k.py',
          'mmseg::_base_/default_runtime.py']
custom_imports = dict(imports=['mmlgd'], allow_failed_imports=False)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    data_preprocessor=dict(size=(64, 64)),
    backbone=dict(_delete_=True, type='mmpretrain.ResNet', depth=18,
                  out_indices=(0, 1, 2, 3)),
    decode_head=dict(in_channels=[64, 128, 256, 512], channels=32,
                     num_classes=5, norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=256, channels=16, num_classes=5,
                        norm_cfg=norm_cfg))
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
"""

# mmpretrain: a tiny classifier on an image folder, with a test split.
CLS_CFG = """
default_scope = 'mmpretrain'
custom_imports = dict(imports=['mmlgd'], allow_failed_imports=False)
data_root = {data_root!r}
model = dict(
    type='ImageClassifier',
    data_preprocessor=dict(num_classes=2, mean=[127.5] * 3, std=[127.5] * 3,
                           to_rgb=True),
    backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=2, in_channels=64))
pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
train_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='CustomDataset', data_root=data_root,
                 pipeline=pipeline))
test_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CustomDataset', data_root=data_root,
                 pipeline=pipeline))
test_evaluator = dict(type='Accuracy', topk=(1, ))
test_cfg = dict()
train_cfg = dict(by_epoch=False, max_iters=4)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
param_scheduler = dict(type='ConstantLR', factor=1.0, by_epoch=False)
auto_scale_lr = dict(base_batch_size=256)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False),
    logger=dict(type='LoggerHook', interval=1))
log_level = 'WARNING'
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


@pytest.fixture(scope='module')
def cls_config(tmp_path_factory):
    import mmcv
    tmp = tmp_path_factory.mktemp('cls')
    rng = np.random.default_rng(0)
    for cls in ('a', 'b'):
        for i in range(4):
            mmcv.imwrite(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8),
                         str(tmp / 'images' / cls / f'{i}.png'))
    return _write(tmp, 'tiny_cls.py',
                  CLS_CFG.format(data_root=str(tmp / 'images')))


def _build(train_tool, argv):
    args = train_cli.build_parser().parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.work_dir,
                      args.launcher)
    return train_tool.merge_args(cfg, args)


def test_mmdet_config_with_mmpretrain_backbone(train_tool, tmp_path):
    from mmdet.models.detectors import MaskRCNN
    from mmpretrain.models.backbones import ResNet
    path = _write(tmp_path, 'det.py', DET_CFG)
    cfg = _build(train_tool, [path, '--work-dir', str(tmp_path / 'w'),
                              '--cfg-options', 'experiment_name=entry_det'])
    assert cfg.default_scope == 'mmdet'
    runner = build_runner(cfg)
    assert type(runner.model) is MaskRCNN
    assert type(runner.model.backbone) is ResNet
    assert runner.model.backbone.depth == 18
    assert [c.out_channels for c in runner.model.neck.lateral_convs] == \
        [256] * 4
    assert any(h['type'] == 'PlainMessageHubHook' for h in cfg.custom_hooks)


def test_mmseg_config_with_mmpretrain_backbone(train_tool, tmp_path):
    from mmpretrain.models.backbones import ResNet
    from mmseg.models.segmentors import EncoderDecoder
    path = _write(tmp_path, 'seg.py', SEG_CFG)
    cfg = _build(train_tool, [path, '--work-dir', str(tmp_path / 'w'),
                              '--cfg-options', 'experiment_name=entry_seg'])
    assert cfg.default_scope == 'mmseg'
    runner = Runner.from_cfg(cfg)
    assert type(runner.model) is EncoderDecoder
    assert type(runner.model.backbone) is ResNet
    assert runner.model.decode_head.num_classes == 5


def test_flags_map_into_cfg(train_tool, cls_config, tmp_path, monkeypatch):
    cfg = _build(train_tool, [cls_config])
    assert cfg.work_dir == osp.join('./work_dirs', 'tiny_cls')
    assert not cfg.get('resume', False) and cfg.launcher == 'none'

    cfg = _build(train_tool, [
        cls_config, '--work-dir', str(tmp_path), '--resume',
        '--cfg-options', 'train_cfg.max_iters=7', 'model.head.num_classes=3',
        'optim_wrapper.optimizer.lr=0.5'])
    assert cfg.work_dir == str(tmp_path)
    assert cfg.resume is True and cfg.load_from is None  # latest in work_dir
    assert cfg.train_cfg.max_iters == 7
    assert cfg.model.head.num_classes == 3
    assert cfg.optim_wrapper.optimizer.lr == 0.5

    cfg = _build(train_tool, [cls_config, '--resume', 'some/iter_2.pth',
                              '--auto-scale-lr', '--no-validate'])
    assert cfg.resume is True and cfg.load_from == 'some/iter_2.pth'
    assert cfg.auto_scale_lr.enable is True
    assert cfg.val_dataloader is None and cfg.val_cfg is None

    # --amp needs an accelerator: a clear error here, the mapping with one
    with pytest.raises(ValueError, match='--amp needs'):
        _build(train_tool, [cls_config, '--amp'])
    monkeypatch.setattr(train_tool, 'get_device', lambda: 'cuda')
    cfg = _build(train_tool, [cls_config, '--amp'])
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.optim_wrapper.optimizer.type == 'SGD'


@pytest.mark.skipif(get_device() != 'cpu', reason='CPU-only fallback')
def test_cpu_distributed_settings(cls_config):
    cfg = load_config(cls_config, launcher='pytorch')
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.model_wrapper_cfg.type == 'MMDistributedDataParallel'
    assert cfg.model_wrapper_cfg.device_ids is None
    with pytest.raises(ValueError, match='torchrun'):
        load_config(cls_config, launcher='slurm')


def test_test_out_must_be_pkl(test_tool):
    parse_args = test_tool.build_parser().parse_args
    with pytest.raises(SystemExit) as exc:
        parse_args(['cfg.py', 'ckpt.pth', '--out', 'res.json'])
    assert exc.value.code == 2
    assert parse_args(['c.py', 'k.pth', '--out', 'r.pkl']).out == 'r.pkl'


@pytest.mark.e2e
def test_train_then_test_mmpretrain(train_tool, test_tool, cls_config,
                                    tmp_path):
    work = str(tmp_path / 'work')
    runner = train_cli.run([
        cls_config, '--work-dir', work, '--cfg-options',
        'train_cfg.max_iters=2', 'experiment_name=entry_train'])
    assert runner.iter == 2
    ckpt = osp.join(work, 'iter_2.pth')
    assert osp.isfile(ckpt)

    out = str(tmp_path / 'preds.pkl')
    metrics = test_tool.run([cls_config, ckpt, '--work-dir', work, '--out',
                              out, '--cfg-options',
                              'experiment_name=entry_test'])
    assert 0.0 <= metrics['accuracy/top1'] <= 100.0
    with open(out, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 8  # one per test image
    with pytest.raises(FileNotFoundError, match='does not exist'):
        test_tool.run([cls_config, str(tmp_path / 'missing.pth')])
