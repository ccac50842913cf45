# PAPER PROTOCOL. Linear probe on frozen LGD ResNet-18 features, 100% of
# ImageNet-1k labels, as the authors ran it (github.com/mZhenz/LGD,
# main_lincls.py + scripts/lincls.sh): SGD momentum 0.9, lr 30 per 256
# images (x 2048/256 = 240 here), weight decay 0; lr set once per epoch:
# linear warm-up from 30 over epochs 0-4, then x0.1 at epochs 60 and 80;
# 100 epochs; the whole backbone in eval mode (frozen BN statistics);
# RandomResizedCrop 224 + flip / short edge 256 + centre crop 224 (bilinear);
# ImageNet mean/std (not CLIP's); validated every epoch, the authors keep
# the best top-1. Batch 4 GPUs x 512 = 2048, as scripts/lincls.sh.
# The MoCo-style cosine alternative: linear-probe_lgd-resnet18_8xb32-coslr-*.
#   bash tools/dist_train.sh THIS_CONFIG 4 --cfg-options \
#       model.backbone.init_cfg.checkpoint=work_dirs/.../epoch_200.pth
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32_pil_resize.py',
    '../_base_/default_runtime.py',
]
lgd_checkpoint = 'work_dirs/lgd_clip-rn50_resnet18_8xb256-200e_in1k/epoch_200.pth'  # noqa
data_preprocessor = dict(num_classes=1000)  # ImageNet mean/std (base)
train_dataloader = dict(batch_size=512, num_workers=8)
val_dataloader = dict(batch_size=512, num_workers=8)
test_dataloader = val_dataloader
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet', depth=18, frozen_stages=4, norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint=lgd_checkpoint,
                      prefix='backbone.')),
    neck=dict(type='GlobalAveragePooling'),
    # weights N(0, 0.01), bias 0 (LinearClsHead's default init), as the
    # authors' fc
    head=dict(type='LinearClsHead', num_classes=1000, in_channels=512,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
              topk=(1, 5)))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=30. * 2048 / 256, momentum=0.9,
                   weight_decay=0.))
param_scheduler = [
    # epochs 0-4: 30 + (240 - 30) * e / 5; 240 from epoch 5
    dict(type='LinearLR', start_factor=256 / 2048, end_factor=1.0,
         by_epoch=True, begin=0, end=6),
    dict(type='MultiStepLR', milestones=[60, 80], gamma=0.1, by_epoch=True,
         begin=0, end=100),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(checkpoint=dict(save_best='accuracy/top1',
                                     rule='greater'))
custom_hooks = [dict(type='PlainMessageHubHook'),
                dict(type='PretrainedBackboneCheckHook')]
