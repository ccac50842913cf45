# MOCO-STYLE PROTOCOL (not the paper's): linear probe on frozen LGD
# ResNet-18 features, 100% of ImageNet-1k labels, SGD lr 30, no weight
# decay, cosine over 100 epochs, no warm-up, CLIP mean/std. The paper's
# protocol: linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k.py.
#   bash tools/dist_train.sh THIS_CONFIG 8 --cfg-options \
#       model.backbone.init_cfg.checkpoint=work_dirs/.../epoch_200.pth
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32_pil_resize.py',
    '../_base_/default_runtime.py',
]
lgd_checkpoint = 'work_dirs/lgd_clip-rn50_resnet18_8xb256-200e_in1k/epoch_200.pth'  # noqa
clip_norm = dict(mean=[122.770938, 116.7460125, 104.09373615],
                 std=[68.5005327, 66.6321579, 70.32316305])
data_preprocessor = dict(num_classes=1000, **clip_norm)
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet', depth=18, frozen_stages=4, norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint=lgd_checkpoint,
                      prefix='backbone.')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=1000, in_channels=512,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
              topk=(1, 5)))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=30., momentum=0.9, weight_decay=0.))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=100, by_epoch=True, begin=0,
         end=100)
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)
custom_hooks = [dict(type='PlainMessageHubHook'),
                dict(type='PretrainedBackboneCheckHook')]
