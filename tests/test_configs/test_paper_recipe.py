"""Paper-row configs follow the authors' recipe (github.com/mZhenz/LGD):
students as their clipdistiller architectures, plain BN, their per-epoch
lr schedules, their linear-probe protocol. References are the authors'
formulas, restated here."""
import glob
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import PARAM_SCHEDULERS
from mmpretrain.registry import MODELS

import mmlgd  # noqa: F401  registers modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LGD = osp.join(REPO, 'configs', 'lgd')
BENCH = osp.join(REPO, 'configs', 'benchmarks')


def load(folder, name):
    return Config.fromfile(osp.join(folder, name + '.py'))


def _walk_types(node, found):
    if isinstance(node, dict):
        if 'type' in node:
            found.append(node['type'])
        for v in node.values():
            _walk_types(v, found)
    elif isinstance(node, (list, tuple)):
        for v in node:
            _walk_types(v, found)
    return found


@pytest.mark.parametrize('path', sorted(glob.glob(f'{LGD}/*.py')),
                         ids=osp.basename)
def test_plain_bn_and_zero_shot_val(path):
    cfg = Config.fromfile(path)
    assert 'SyncBN' not in _walk_types(cfg.model, [])
    assert cfg.train_cfg.val_interval == 5  # the authors' --val-interval
    hooks = [h['type'] for h in cfg.custom_hooks]
    assert 'TeacherZeroShotHook' in hooks
    if path.endswith('_custom-folder.py'):  # the user's labelled folder
        assert cfg.val_evaluator == dict(type='Accuracy', topk=cfg.val_topk)
        assert cfg.val_dataloader.dataset.type == 'CustomDataset'
    elif cfg.model.tsb.classes in ('imagenet1k', 'caltech256'):
        assert cfg.val_evaluator == dict(type='Accuracy', topk=(1, 5))
        assert cfg.val_dataloader.collate_fn.type == 'default_collate'
    else:  # the val set's labels do not index this text set
        assert cfg.val_cfg is None and cfg.val_dataloader is None


def _student(cfg, k=10, d=16):
    backbone = MODELS.build(cfg.model.backbone)
    neck = MODELS.build(dict(cfg.model.neck, num_classes=k, out_channels=d))
    return backbone, neck


def test_resnet18_no_zero_init_residual():
    cfg = load(LGD, 'lgd_clip-rn50_resnet18_8xb256-200e_in1k')
    backbone, neck = _student(cfg)
    backbone.init_weights()
    # torchvision-style init: every BN weight 1, none zeroed
    for m in backbone.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            assert torch.equal(m.weight, torch.ones_like(m.weight))
    assert isinstance(neck.pre_projector, torch.nn.Identity)


@pytest.mark.parametrize('name', [
    'lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k',
    'lgd_clip-rn50_mobilenet-v2_8xb256-90e_in1k',
    'lgd_clip-rn50_mobilenet-v2_8xb256-90e_in1k-caltech256-text',
    'lgd_clip-rn50_mobilenet-v2_8xb256-90e_caltech256'])
def test_mobilenet_v2_dropout_before_projector(name):
    _, neck = _student(load(LGD, name))
    assert [type(m).__name__ for m in neck.pre_projector] == ['Dropout']
    assert neck.pre_projector[0].p == 0.2
    assert neck.projector[0].in_features == 1280


def test_mobilenet_v3_large_head_and_bn():
    cfg = load(LGD, 'lgd_clip-rn50_mobilenet-v3-large_8xb256-200e_in1k')
    backbone, neck = _student(cfg)
    lin, act, drop = neck.pre_projector
    assert (lin.in_features, lin.out_features) == (960, 1280)
    x = torch.linspace(-5, 5, 41)
    torch.testing.assert_close(act(x), x * torch.clamp(x + 3, 0, 6) / 6)
    assert drop.p == 0.2
    assert neck.projector[0].in_features == 1280
    bns = [m for m in backbone.modules()
           if isinstance(m, torch.nn.BatchNorm2d)]
    assert bns and all(m.eps == 1e-5 and m.momentum == 0.1 for m in bns)
    assert backbone(torch.randn(1, 3, 64, 64))[-1].shape[1] == 960


def test_efficientnet_b0_drop_connect_dropout_bn():
    cfg = load(LGD, 'lgd_clip-rn50_efficientnet-b0_8xb256-200e_in1k')
    backbone, neck = _student(cfg)
    assert [type(m).__name__ for m in neck.pre_projector] == ['Dropout']
    assert neck.pre_projector[0].p == 0.2
    bns = [m for m in backbone.modules()
           if isinstance(m, torch.nn.BatchNorm2d)]
    assert bns and all(m.eps == 1e-3 and m.momentum == 0.01 for m in bns)
    # lukemelas' drop connect: 0.2 * idx / 16 in block idx of the 16
    rates = []
    for layer in backbone.layers[1:-1]:
        for block in layer:
            dp = getattr(block, 'drop_path', torch.nn.Identity())
            rates.append(getattr(dp, 'drop_prob', 0.0))
    assert len(rates) == 16
    assert rates == pytest.approx([0.2 * i / 16 for i in range(16)])


def _lr_per_epoch(cfg, epochs):
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    scheds = [PARAM_SCHEDULERS.build(dict(s, optimizer=opt))
              for s in cfg.param_scheduler]
    assert all(s.by_epoch for s in scheds)  # set once per epoch
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]['lr'])
        for s in scheds:
            s.step()
    return lrs


@pytest.mark.parametrize('name,epochs', [
    ('lgd_clip-rn50_resnet18_8xb256-200e_in1k', 200),
    ('lgd_clip-rn50_resnet18_8xb256-90e_in1k', 90),
    ('lgd_clip-rn50_mobilenet-v2_8xb256-90e_caltech256', 90)])
def test_pretraining_lr_is_the_authors(name, epochs):
    """tools/utils.py:adjust_learning_rate with lr 0.03, batch 2048."""
    cfg = load(LGD, name)
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.auto_scale_lr.base_batch_size == 2048
    base, peak = 0.03, 0.03 * 2048 / 256
    for e, lr in enumerate(_lr_per_epoch(cfg, epochs)):
        cos = 0.5 * (1 + math.cos(math.pi * e / epochs))
        if e < 5:
            ref = base + (peak - base) / 5 * e
            # documented deviation: mmengine chains the schedulers, so the
            # warm-up value is scaled by the cosine factor (>= 0.995)
            assert lr == pytest.approx(ref * cos, rel=1e-9)
            assert lr / ref > 0.995
        else:
            assert lr == pytest.approx(peak * cos, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize('name', sorted(
    osp.basename(p)[:-3]
    for p in glob.glob(f'{BENCH}/linear-probe_*_4xb512-steplr-100e_*.py')))
def test_linear_probe_is_the_authors(name):
    """main_lincls.py: lr 30 x batch/256, warm-up from 30 over 5 epochs,
    x0.1 at 60 and 80, 100 epochs, wd 0, ImageNet mean/std."""
    cfg = load(BENCH, name)
    assert 'PAPER PROTOCOL' in open(osp.join(BENCH, name + '.py')).read()
    batch = cfg.train_dataloader.batch_size * 4
    assert batch == 2048
    assert cfg.optim_wrapper.optimizer.weight_decay == 0
    assert cfg.optim_wrapper.optimizer.momentum == 0.9
    assert cfg.data_preprocessor.mean == [123.675, 116.28, 103.53]
    assert cfg.data_preprocessor.std == [58.395, 57.12, 57.375]
    assert cfg.train_cfg.max_epochs == 100
    assert cfg.model.backbone.norm_eval is True
    lrs = _lr_per_epoch(cfg, 100)
    for e, lr in enumerate(lrs):
        ref = 30 + (30 * batch / 256 - 30) / 5 * e if e < 5 else (
            30 * batch / 256 * 0.1 ** sum(e >= m for m in (60, 80)))
        assert lr == pytest.approx(ref, rel=1e-9), e


@pytest.mark.parametrize('name', sorted(
    osp.basename(p)[:-3]
    for p in glob.glob(f'{BENCH}/zero-shot_*.py')))
def test_zero_shot_tsb_encoder_is_the_pretraining_one(name):
    """The zero-shot TSB is encoded as in pre-training: RN50-quickgelu (the
    activation OpenAI's weights were trained with), also when `pretrained`
    becomes a local OpenAI file."""
    pre = Config.fromfile(osp.join(
        REPO, 'configs', '_base_', 'models', 'lgd_clip-rn50_resnet18.py'))
    encoder = load(BENCH, name).model.tsb.encoder
    assert encoder.model_name == 'RN50-quickgelu'
    assert encoder == pre.model.tsb.encoder
