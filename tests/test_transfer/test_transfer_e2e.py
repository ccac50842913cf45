"""tools/train.py + tools/test.py on the real LGD transfer configs, shrunk
by a small override config written next to tiny generated data: Mask R-CNN
gives COCO bbox/segm mAP, UperNet gives mIoU; a wrong pretrained backbone
stops the run before the first iteration."""
import glob
import os.path as osp

import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DET = osp.join(REPO, 'configs', 'mask_rcnn',
               'mask-rcnn_lgd-r18_fpn_1x_coco.py')
SEG = osp.join(REPO, 'configs', 'upernet',
               'upernet_lgd-r18_4xb4-160k_ade20k-512x512.py')
CKPT_OPT = 'model.backbone.init_cfg.checkpoint'

TINY_DET = """
_base_ = {base!r}
data_root = {root!r}
metainfo = dict(classes=('square', 'disc'),
                palette=[(220, 20, 60), (0, 0, 142)])
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape',
                                          'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='annotations.json',
                 data_prefix=dict(img='images/'), metainfo=metainfo,
                 filter_cfg=dict(filter_empty_gt=True, min_size=0),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='annotations.json',
                 data_prefix=dict(img='images/'), metainfo=metainfo,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations.json')
test_evaluator = val_evaluator
model = dict(
    roi_head=dict(bbox_head=dict(num_classes=2),
                  mask_head=dict(num_classes=2)),
    train_cfg=dict(
        rpn=dict(sampler=dict(num=64)),
        rpn_proposal=dict(nms_pre=200, max_per_img=50),
        rcnn=dict(sampler=dict(num=32))),
    test_cfg=dict(
        rpn=dict(nms_pre=200, max_per_img=50),
        rcnn=dict(score_thr=0.0, max_per_img=10)))
train_cfg = dict(max_epochs=1)
default_hooks = dict(logger=dict(interval=1))
"""

TINY_SEG = """
_base_ = {base!r}
data_root = {root!r}
crop_size = (64, 64)
metainfo = dict(classes=('background', 'square', 'disc'),
                palette=[[0, 0, 0], [220, 20, 60], [0, 0, 142]])
pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
dataset = dict(
    _delete_=True, type='BaseSegDataset', data_root=data_root,
    data_prefix=dict(img_path='img_dir', seg_map_path='ann_dir'),
    img_suffix='.png', seg_map_suffix='.png', metainfo=metainfo,
    reduce_zero_label=False, pipeline=pipeline)
train_dataloader = dict(batch_size=2, num_workers=0,
                        persistent_workers=False, dataset=dataset)
val_dataloader = dict(batch_size=1, num_workers=0,
                      persistent_workers=False, dataset=dataset)
test_dataloader = val_dataloader
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=3, channels=64),
    auxiliary_head=dict(num_classes=3, channels=32))
train_cfg = dict(max_iters=4, val_interval=4)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=4,
         by_epoch=False)
]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=4))
"""


def write_config(tmp_path, template, base, root):
    path = tmp_path / 'tiny_config.py'
    path.write_text(template.format(base=base, root=str(root) + '/'))
    return str(path)


def hook_log_line(work_dir):
    logs = glob.glob(osp.join(work_dir, '*', '*.log'))
    text = ''.join(open(p).read() for p in logs)
    return 'PretrainedBackboneCheckHook: keys, shapes and values OK' in text


@pytest.mark.e2e
def test_mask_rcnn_train_and_coco_eval(tmp_path, tools, tiny, lgd_ckpt):
    root = tmp_path / 'coco'
    tiny.make_coco_instances(str(root), num_images=4, size=128)
    config = write_config(tmp_path, TINY_DET, DET, root)
    ckpt, _ = lgd_ckpt('r18')
    work_dir = str(tmp_path / 'work')
    tools.train.run([config, '--work-dir', work_dir, '--no-validate',
                      '--cfg-options', f'{CKPT_OPT}={ckpt}'])
    assert hook_log_line(work_dir)  # the student was loaded, then trained
    trained = osp.join(work_dir, 'epoch_1.pth')
    assert osp.isfile(trained)

    metrics = tools.test.run([config, trained, '--work-dir',
                               str(tmp_path / 'test')])
    for key in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP',
                'coco/segm_mAP_50'):
        assert isinstance(metrics[key], float), (key, metrics)
        assert 0.0 <= metrics[key] <= 1.0, (key, metrics[key])


@pytest.mark.e2e
def test_upernet_train_and_miou_eval(tmp_path, tools, tiny, lgd_ckpt):
    root = tiny.make_seg_data(str(tmp_path / 'seg'), num_images=4, size=64)
    config = write_config(tmp_path, TINY_SEG, SEG, root)
    ckpt, _ = lgd_ckpt('r18')
    work_dir = str(tmp_path / 'work')
    tools.train.run([config, '--work-dir', work_dir, '--no-validate',
                      '--cfg-options', f'{CKPT_OPT}={ckpt}'])
    assert hook_log_line(work_dir)
    trained = osp.join(work_dir, 'iter_4.pth')
    assert osp.isfile(trained)

    metrics = tools.test.run([config, trained, '--work-dir',
                               str(tmp_path / 'test')])
    for key in ('mIoU', 'mAcc', 'aAcc'):
        # mmseg's IoUMetric returns numpy float32 scalars
        assert isinstance(metrics[key], (float, np.floating)), (key, metrics)
        assert 0.0 <= metrics[key] <= 100.0, (key, metrics[key])  # percent


@pytest.mark.e2e
def test_train_stops_before_first_iter_on_wrong_backbone(tmp_path, tools,
                                                         tiny, lgd_ckpt):
    """R18 student into an R50 backbone: mmengine only warns; the
    PretrainedBackboneCheckHook in the config fails the run up front."""
    root = tiny.make_seg_data(str(tmp_path / 'seg'), num_images=2, size=64)
    config = write_config(tmp_path, TINY_SEG, SEG, root)
    ckpt, _ = lgd_ckpt('r18')
    work_dir = str(tmp_path / 'work')
    with pytest.raises(RuntimeError, match='different shape') as err:
        tools.train.run([
            config, '--work-dir', work_dir, '--no-validate', '--cfg-options',
            f'{CKPT_OPT}={ckpt}', 'model.backbone.depth=50'])
    assert ckpt in str(err.value)
    assert not glob.glob(osp.join(work_dir, '*.pth'))


@pytest.mark.e2e
def test_train_names_missing_prefix_before_init(tmp_path, tools, tiny,
                                                lgd_ckpt):
    """A prefix-less file with prefix='backbone.': the error names the cause
    (mmengine's own init_weights would stop with a bare AssertionError)."""
    root = tiny.make_seg_data(str(tmp_path / 'seg'), num_images=2, size=64)
    config = write_config(tmp_path, TINY_SEG, SEG, root)
    src, _ = lgd_ckpt('r18')
    export = str(tmp_path / 'student_tv.pth')
    tools.extract_student.extract_student(src, export, 'torchvision')
    with pytest.raises(RuntimeError, match="no 'backbone.' keys") as err:
        tools.train.run([config, '--work-dir', str(tmp_path / 'work'),
                          '--no-validate', '--cfg-options',
                          f'{CKPT_OPT}={export}'])
    assert 'init_cfg.prefix=None' in str(err.value)
