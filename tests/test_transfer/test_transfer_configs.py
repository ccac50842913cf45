"""Downstream configs (configs/mask_rcnn, configs/upernet): paper settings,
and an LGD student really lands in the detector / segmentor backbone."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.registry import MODELS
from mmengine.utils import import_modules_from_strings

from mmlgd.apis import load_config
from mmlgd.utils.pretrained_check import check_pretrained_init

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DET = osp.join(REPO, 'configs', 'mask_rcnn')
SEG = osp.join(REPO, 'configs', 'upernet')
LGD_CONFIGS = {  # config -> student arch
    f'{DET}/mask-rcnn_lgd-r18_fpn_1x_coco.py': 'r18',
    f'{DET}/mask-rcnn_lgd-r18_fpn_1x_lvis-v1.py': 'r18',
    f'{DET}/mask-rcnn_lgd-mbv2_fpn_1x_coco.py': 'mbv2',
    f'{SEG}/upernet_lgd-r18_4xb4-160k_ade20k-512x512.py': 'r18',
    f'{SEG}/upernet_lgd-r18_4xb2-80k_cityscapes-512x1024.py': 'r18',
    f'{SEG}/upernet_lgd-mbv2_4xb4-160k_ade20k-512x512.py': 'mbv2',
}
ALL_CONFIGS = sorted(glob.glob(f'{DET}/*.py') + glob.glob(f'{SEG}/*.py'))
CKPT_OPT = 'model.backbone.init_cfg.checkpoint'


def name(path):
    return osp.basename(path)[:-3]


def build(config, options=None):
    """Config (with --cfg-options style ``options``) -> (cfg, model)."""
    cfg = load_config(config, options)
    import_modules_from_strings(**cfg.custom_imports)
    return cfg, MODELS.build(cfg.model)


def test_every_lgd_config_has_its_baselines():
    assert len(ALL_CONFIGS) == 18
    for lgd in LGD_CONFIGS:
        for init in ('random', 'in1k-sup'):
            assert osp.isfile(lgd.replace('_lgd-', f'_{init}-')), (lgd, init)


@pytest.mark.parametrize('config', ALL_CONFIGS, ids=name)
def test_common_settings(config):
    cfg = load_config(config)
    scope = 'mmdet' if config.startswith(DET) else 'mmseg'
    assert cfg.default_scope == scope
    assert cfg.custom_imports == dict(imports=['mmlgd', 'mmpretrain.models'],
                                      allow_failed_imports=False)
    assert [h['type'] for h in cfg.custom_hooks] == [
        'PlainMessageHubHook', 'PretrainedBackboneCheckHook',
        'FiniteLossHook']
    backbone = cfg.model.backbone
    arch = 'mbv2' if '-mbv2_' in config else 'r18'
    # MobileNetV2 without its unused conv2: DDP needs no
    # find_unused_parameters (the authors' fix, a graph search every step)
    assert backbone.type == {'r18': 'mmpretrain.ResNet',
                             'mbv2': 'mmpretrain.TransferMobileNetV2'}[arch]
    assert not cfg.get('find_unused_parameters', False)
    init = backbone.get('init_cfg')
    mean = cfg.model.data_preprocessor.mean
    if '_lgd-' in config:
        assert init == dict(type='Pretrained', checkpoint=cfg.lgd_checkpoint,
                            prefix='backbone.')
        assert cfg.lgd_checkpoint.startswith('work_dirs/lgd_clip-rn50_')
        # ImageNet statistics, as the authors' detection configs and the
        # baselines: a comparison between inits differs only in the init
        assert mean == [123.675, 116.28, 103.53]
        assert cfg.model.data_preprocessor.std == [58.395, 57.12, 57.375]
    elif '_random-' in config:
        assert init is None  # mmpretrain's default (random) init
        assert mean == [123.675, 116.28, 103.53]
    else:
        assert init.type == 'Pretrained'
        if arch == 'r18':  # torchvision names == mmpretrain ResNet names
            assert init.checkpoint == 'torchvision://resnet18'
            assert init.get('prefix') is None
        else:  # mmpretrain's ImageNet MobileNetV2 keeps `backbone.*`
            assert 'mobilenet_v2_batch256_imagenet' in init.checkpoint
            assert init.prefix == 'backbone.'
    channels = {'r18': [64, 128, 256, 512], 'mbv2': [24, 32, 96, 320]}[arch]
    if scope == 'mmdet' and arch == 'mbv2':
        # the authors' MobileNetV2-FPN: stages 2/4/6, 3 levels, strides 8-32
        assert cfg.model.backbone.out_indices == (2, 4, 6)
        assert cfg.model.neck.in_channels == [32, 96, 320]
        assert cfg.model.neck.num_outs == 3
        strides = [8, 16, 32]
        assert cfg.model.rpn_head.anchor_generator.strides == strides
        roi = cfg.model.roi_head
        assert roi.bbox_roi_extractor.featmap_strides == strides
        assert roi.mask_roi_extractor.featmap_strides == strides
    elif scope == 'mmdet':
        assert cfg.model.neck.in_channels == channels
    else:
        assert cfg.model.pretrained is None
        assert cfg.model.decode_head.in_channels == channels
        assert cfg.model.decode_head.channels == 512
        assert cfg.model.auxiliary_head.in_channels == channels[2]
        assert cfg.model.auxiliary_head.in_index == 2


@pytest.mark.parametrize('config', sorted(glob.glob(f'{DET}/*.py')),
                         ids=name)
def test_mask_rcnn_paper_finetune_recipe(config):
    cfg = load_config(config)
    optim = cfg.optim_wrapper
    assert optim.optimizer == dict(type='AdamW', lr=2e-4, weight_decay=1e-4)
    assert optim.paramwise_cfg == dict(
        custom_keys={'backbone': dict(lr_mult=0.1)})
    assert optim.clip_grad == dict(max_norm=0.1, norm_type=2)
    assert cfg.train_cfg.max_epochs == 12  # 1x
    assert cfg.param_scheduler[-1].milestones == [8, 11]
    num_classes = 1203 if 'lvis' in config else 80
    assert cfg.model.roi_head.bbox_head.num_classes == num_classes
    assert cfg.model.roi_head.mask_head.num_classes == num_classes
    # the authors' batch (mmdetection/run.sh: R18 COCO on 2 GPUs, R18 LVIS
    # on 4, MobileNetV2 COCO on 8; 2 images each) at a fixed lr
    gpus = 8 if 'mbv2' in config else 4 if 'lvis' in config else 2
    assert cfg.train_dataloader.batch_size == 2
    assert cfg.auto_scale_lr == dict(enable=False, base_batch_size=2 * gpus)
    assert f'dist_train.sh THIS_CONFIG {gpus}`' in open(config).read()
    # LVIS: one evaluation, after the last epoch (the authors' interval=12)
    assert cfg.train_cfg.val_interval == (12 if 'lvis' in config else 1)


@pytest.mark.parametrize('config,iters,classes,crop', [
    ('ade20k-512x512', 160000, 150, (512, 512)),
    ('cityscapes-512x1024', 80000, 19, (512, 1024)),
])
def test_upernet_schedules(config, iters, classes, crop):
    for path in glob.glob(f'{SEG}/*{config}.py'):
        cfg = load_config(path)
        assert cfg.train_cfg.max_iters == iters
        assert cfg.model.decode_head.num_classes == classes
        assert cfg.model.auxiliary_head.num_classes == classes
        assert tuple(cfg.model.data_preprocessor.size) == crop


def test_checkpoint_is_overridable():
    config = f'{DET}/mask-rcnn_lgd-r18_fpn_1x_coco.py'
    cfg = load_config(config, {CKPT_OPT: 'elsewhere/epoch_9.pth'})
    assert cfg.model.backbone.init_cfg.checkpoint == 'elsewhere/epoch_9.pth'
    assert cfg.model.backbone.init_cfg.prefix == 'backbone.'


def assert_backbone_equals(model, sd):
    own = model.backbone.state_dict()
    # everything the backbone builds; MobileNetV2's unused conv2 is not built
    unbuilt = getattr(model.backbone, 'unbuilt', [])
    assert own.keys() == {k for k in sd if k.split('.')[0] not in unbuilt}
    differ = [k for k in own if not torch.equal(own[k], sd[k])]
    assert not differ, differ[:5]


@pytest.mark.parametrize('config', sorted(LGD_CONFIGS), ids=name)
def test_lgd_student_lands_in_backbone(config, lgd_ckpt, tmp_path, tools):
    """Full LGD checkpoint, and its mmpretrain-format export, both give a
    backbone equal to the student tensor for tensor."""
    src, sd = lgd_ckpt(LGD_CONFIGS[config])
    export = str(tmp_path / 'student.pth')
    tools.extract_student.extract_student(src, export)
    for path in (src, export):
        _, model = build(config, {CKPT_OPT: path})
        model.init_weights()
        assert_backbone_equals(model, sd)
        skipped = ('; not built here, so not loaded: conv2.*'
                   if LGD_CONFIGS[config] == 'mbv2' else '')
        assert check_pretrained_init(model) == [
            f'backbone <- {path}{skipped}']


@pytest.mark.parametrize('config', [
    c for c, arch in sorted(LGD_CONFIGS.items()) if arch == 'r18'], ids=name)
def test_torchvision_export_with_prefix_none(config, lgd_ckpt, tmp_path,
                                             tools):
    src, sd = lgd_ckpt('r18')
    export = str(tmp_path / 'student_tv.pth')
    tools.extract_student.extract_student(src, export, 'torchvision')
    _, model = build(config, {CKPT_OPT: export,
                              'model.backbone.init_cfg.prefix': None})
    model.init_weights()
    assert_backbone_equals(model, sd)


@pytest.mark.parametrize('config', [
    f'{DET}/mask-rcnn_random-r18_fpn_1x_coco.py',
    f'{SEG}/upernet_random-mbv2_4xb4-160k_ade20k-512x512.py'], ids=name)
def test_random_baseline_is_not_pretrained(config, lgd_ckpt):
    _, sd = lgd_ckpt('mbv2' if 'mbv2' in config else 'r18')
    _, model = build(config)
    model.init_weights()
    assert check_pretrained_init(model) == []
    own = model.backbone.state_dict()
    assert own.keys() <= sd.keys()
    assert not torch.equal(own['conv1.weight' if 'r18' in config else
                               'conv1.conv.weight'],
                           sd['conv1.weight' if 'r18' in config else
                              'conv1.conv.weight'])
