# UperNet R18 on "Fashion-MNIST scenes" label maps (11 classes incl.
# background), backbone initialised from the LGD student checkpoint. Sized
# for 2 CPU cores: decode width 64, no auxiliary head, 128x128 inputs,
# 600 iterations; background (~90% of the pixels) is down-weighted in the
# loss, without which 300-600 iterations predict background everywhere.
# Random-init baseline:
#   --cfg-options model.backbone.init_cfg=None
_base_ = [
    '../_base_/mmseg/models/upernet_r18.py',
    '../_base_/mmseg/default_runtime.py',
]
student_checkpoint = 'work_dirs/demo/lgd_s0/epoch_2.pth'
data_root = 'data/fmnist_scenes/'
crop_size = (128, 128)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size, mean=[72.94] * 3,
                           std=[90.02] * 3, bgr_to_rgb=False),
    backbone=dict(norm_cfg=norm_cfg,
                  init_cfg=dict(type='Pretrained',
                                checkpoint=student_checkpoint,
                                prefix='backbone.')),
    decode_head=dict(
        channels=64, num_classes=11, norm_cfg=norm_cfg,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         loss_weight=1.0, class_weight=[0.2] + [1.0] * 10)),
    auxiliary_head=None)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='FashionMNISTScenesSegDataset', data_root=data_root,
                 data_prefix=dict(img_path='images/train',
                                  seg_map_path='ann_dir/train'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='FashionMNISTScenesSegDataset', data_root=data_root,
                 data_prefix=dict(img_path='images/val',
                                  seg_map_path='ann_dir/val'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

max_iters = 600
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
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
    logger=dict(type='LoggerHook', interval=25, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False,
                    interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
