# Mask R-CNN R18-FPN on "Fashion-MNIST scenes" (128x128 canvases of real
# Fashion-MNIST items, tools/dataset_converters/make_fmnist_scenes.py),
# backbone initialised from the LGD student checkpoint. Sized for 2 CPU
# cores: FPN/RPN/RoI widths 64, 64 sampled anchors and RoIs per image, 2-conv
# mask head, single anchor scale matched to 20-45 px items, all BN layers
# trained (no frozen stage), 300 iterations. Random-init baseline:
#   --cfg-options model.backbone.init_cfg=None
_base_ = [
    '../_base_/mmdet/models/mask-rcnn_r18_fpn.py',
    '../_base_/mmdet/default_runtime.py',
]
student_checkpoint = 'work_dirs/demo/lgd_s0/epoch_2.pth'
classes = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal',
           'Shirt', 'Sneaker', 'Bag', 'Ankle boot')
data_root = 'data/fmnist_scenes/'
width = 64
model = dict(
    data_preprocessor=dict(mean=[72.94] * 3, std=[90.02] * 3,
                           bgr_to_rgb=False),
    backbone=dict(frozen_stages=-1, norm_eval=False,
                  init_cfg=dict(type='Pretrained',
                                checkpoint=student_checkpoint,
                                prefix='backbone.')),
    neck=dict(out_channels=width),
    rpn_head=dict(in_channels=width, feat_channels=width,
                  anchor_generator=dict(scales=[6])),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=width),
        bbox_head=dict(in_channels=width, fc_out_channels=256,
                       num_classes=10),
        mask_roi_extractor=dict(out_channels=width),
        mask_head=dict(num_convs=2, in_channels=width,
                       conv_out_channels=width, num_classes=10)),
    train_cfg=dict(
        rpn=dict(sampler=dict(num=64)),
        rpn_proposal=dict(nms_pre=500, max_per_img=200),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=500, max_per_img=200),
                  rcnn=dict(max_per_img=20)))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    # scenes are already 128x128: an identity resize that records
    # scale_factor for mmdet's mask post-processing
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor')),
]
train_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(type='CocoDataset', data_root=data_root,
                 metainfo=dict(classes=classes),
                 ann_file='annotations/instances_train.json',
                 data_prefix=dict(img='images/train/'),
                 filter_cfg=dict(filter_empty_gt=True, min_size=4),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, num_workers=0, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CocoDataset', data_root=data_root,
                 metainfo=dict(classes=classes),
                 ann_file='annotations/instances_val.json',
                 data_prefix=dict(img='images/val/'), test_mode=True,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='CocoMetric',
                     ann_file=data_root + 'annotations/instances_val.json',
                     metric=['bbox', 'segm'], format_only=False)
test_evaluator = val_evaluator

max_iters = 300
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# AdamW and gradient clipping as the paper's fine-tuning recipe; a higher
# lr (1e-3) and no backbone lr multiplier for this 300-iteration schedule.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=10.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=max_iters),
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=25),
    checkpoint=dict(type='CheckpointHook', by_epoch=False,
                    interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
