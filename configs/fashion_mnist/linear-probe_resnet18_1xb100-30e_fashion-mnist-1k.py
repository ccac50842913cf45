# Linear probe on frozen student features with 1,000 labels (probe_1k):
#   python tools/train.py THIS_CONFIG --cfg-options \
#       model.backbone.init_cfg.checkpoint=work_dirs/demo/lgd_s0/epoch_2.pth
# (without an init_cfg checkpoint: the random-init baseline).
_base_ = [
    '../_base_/datasets/fashion-mnist_32px.py',
    '../_base_/default_runtime.py',
]
student_checkpoint = 'work_dirs/demo/lgd_s0/epoch_2.pth'
model = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(type='ResNet', depth=18, frozen_stages=4, norm_eval=True,
                  init_cfg=dict(type='Pretrained',
                                checkpoint=student_checkpoint,
                                prefix='backbone.')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=512,
              topk=(1, )))
train_dataloader = dict(
    batch_size=100,
    dataset=dict(data_root=_base_.fmnist_root + 'probe_1k',
                 pipeline={{_base_.test_pipeline}}))
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.5, momentum=0.9, weight_decay=0.))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, begin=0,
                        end=30)]
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=30)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(checkpoint=dict(interval=30, max_keep_ckpts=1),
                     logger=dict(interval=10))
custom_hooks = [dict(type='PlainMessageHubHook'),
                dict(type='PretrainedBackboneCheckHook')]
