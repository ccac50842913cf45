"""The shrinker of shipped configs (mmlgd/testing/config_shrink.py) changes
data, outside weights, device and run length only; the tiny data it writes
load with each config's own dataset class."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmlgd.testing.config_shrink import shrink_config, shrink_size
from mmlgd.utils.configs import config_path

MBV2_DET = 'mask_rcnn/mask-rcnn_lgd-mbv2_fpn_1x_coco.py'
LVIS = 'mask_rcnn/mask-rcnn_in1k-sup-r18_fpn_1x_lvis-v1.py'
CITY = 'upernet/upernet_lgd-r18_4xb2-80k_cityscapes-512x1024.py'
ADE = 'upernet/upernet_random-mbv2_4xb4-160k_ade20k-512x512.py'
LGD = 'lgd/lgd_clip-rn50_resnet18_8xb256-90e_in1k-caltech256-text.py'


def test_shrink_size():
    assert shrink_size(224) == 28
    assert shrink_size(128) == 128 and shrink_size(32) == 32
    assert shrink_size((1333, 800)) == (166, 100)
    assert shrink_size([(1333, 640), (1333, 800)]) == [(166, 80), (166, 100)]
    assert shrink_size(None) is None and shrink_size(True) is True


def _shrunk(rel, tmp_path, tiny_clip, **kw):
    cfg = Config.fromfile(config_path(rel))
    before = copy.deepcopy(cfg)
    shrink_config(cfg, str(tmp_path / 'data'), tiny_clip,
                  str(tmp_path / 'work'), 'shrink_test', **kw)
    return before, cfg


def _dataset(cfg, key='train_dataloader'):
    scope = cfg.get('default_scope', 'mmpretrain')
    with DefaultScope.overwrite_default_scope(scope):
        if scope == 'mmdet':
            from mmdet.registry import DATASETS
        elif scope == 'mmseg':
            from mmseg.registry import DATASETS
        else:
            from mmpretrain.registry import DATASETS
        return DATASETS.build(cfg[key].dataset)


def _no_init(model):
    model = copy.deepcopy(model.to_dict())
    model['backbone'].pop('init_cfg', None)
    return model


@pytest.mark.parametrize('amp', [False, True])
def test_detection_keeps_model_and_wrapper(tmp_path, tiny_clip, amp):
    before, cfg = _shrunk(MBV2_DET, tmp_path, tiny_clip, amp=amp,
                          validate=True)
    # model, neck, heads, train/test settings: untouched but the init file
    assert _no_init(cfg.model) == _no_init(before.model)
    assert cfg.get('find_unused_parameters') == before.get(
        'find_unused_parameters')
    optim = cfg.optim_wrapper
    assert optim.type == ('AmpOptimWrapper' if amp else 'OptimWrapper')
    for key in ('optimizer', 'paramwise_cfg', 'clip_grad'):
        assert optim[key] == before.optim_wrapper[key]
    assert cfg.train_cfg.max_epochs == 1
    assert cfg.default_hooks.checkpoint is None
    # the LGD student file: the whole MobileNetV2 under `backbone.`, as an
    # LGD pre-training checkpoint holds it (conv2 included)
    init = cfg.model.backbone.init_cfg
    assert init.prefix == before.model.backbone.init_cfg.prefix
    state = torch.load(init.checkpoint, weights_only=True)['state_dict']
    assert 'backbone.conv2.conv.weight' in state
    assert all(k.startswith('backbone.') for k in state)
    # 2 processes x 1 image x 2 iterations, COCO format, own class list
    data = _dataset(cfg)
    assert len(data) == 4 and len(data.metainfo['classes']) == 80
    assert data[0]['data_samples'].gt_instances.bboxes.shape[0] == 2
    resize = cfg.train_dataloader.dataset.pipeline[2]
    assert resize.scale == (166, 100)
    assert cfg.val_evaluator.ann_file.startswith(str(tmp_path))


def test_lvis_data_and_sup_weights(tmp_path, tiny_clip):
    before, cfg = _shrunk(LVIS, tmp_path, tiny_clip)
    init = cfg.model.backbone.init_cfg
    assert init.get('prefix') is None  # torchvision key layout, no prefix
    state = torch.load(init.checkpoint, weights_only=True)['state_dict']
    assert 'conv1.weight' in state and 'layer4.1.bn2.weight' in state
    assert cfg.val_cfg is None  # no validation unless asked for
    pytest.importorskip('lvis', reason='mmdet reads LVIS with `lvis`')
    data = _dataset(cfg)
    assert len(data) == 4
    assert len(data.dataset.metainfo['classes']) == 1203


@pytest.mark.parametrize('rel,crop', [(CITY, (64, 128)), (ADE, (64, 64))])
def test_segmentation_label_maps(tmp_path, tiny_clip, rel, crop):
    before, cfg = _shrunk(rel, tmp_path, tiny_clip, validate=True)
    assert tuple(cfg.model.data_preprocessor.size) == crop
    # SyncBN needs CUDA: BN on CPU, SyncBN kept for a GPU run
    assert cfg.model.backbone.norm_cfg.type == 'BN'
    assert before.model.backbone.norm_cfg.type == 'SyncBN'
    _, gpu = _shrunk(rel, tmp_path / 'gpu', tiny_clip, device='cuda')
    assert gpu.model.backbone.norm_cfg.type == 'SyncBN'
    data = _dataset(cfg, 'val_dataloader')
    assert len(data) == 4
    sample = data[0]['data_samples']
    values = set(sample.gt_sem_seg.data.unique().tolist())
    assert values - {255} and values <= set(range(19)) | {255}


def test_lgd_keeps_student_and_swaps_teacher(tmp_path, tiny_clip):
    before, cfg = _shrunk(LGD, tmp_path, tiny_clip, validate=True)
    for part in ('backbone', 'neck', 'head', 'data_preprocessor'):
        assert cfg.model[part] == before.model[part], part
    assert cfg.model.target_generator.model_name == tiny_clip[0]
    assert cfg.model.target_generator.channels_last is True
    tsb = cfg.model.tsb
    assert tsb.classes == 'caltech256' and len(tsb.templates) == 1
    assert tsb.encoder.pretrained == tiny_clip[2]
    crop = cfg.train_dataloader.dataset.pipeline[1].transforms[0][0]
    assert (crop.type, crop.scale) == ('RandomResizedCrop', 28)
    # the Caltech-256 split list, in mmpretrain's CustomDataset format:
    # 2 processes x 4 images x 2 iterations
    assert len(_dataset(cfg)) == 16
    assert len(_dataset(cfg, 'val_dataloader')) == 4
    assert cfg.train_cfg.max_epochs == 1 and cfg.train_cfg.val_interval == 1
