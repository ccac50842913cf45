# PAPER PROTOCOL, MobileNetV2 student:
# linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k-128shot.py with the
# LGD MobileNetV2 backbone (all 7 stages frozen, BN in eval mode; the
# authors' probe runs the whole model in eval mode, so their classifier's
# Dropout(0.2) is inactive) and a linear head on its 1280 pooled channels.
_base_ = './linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k-128shot.py'
lgd_checkpoint = 'work_dirs/lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k/epoch_200.pth'  # noqa
model = dict(
    backbone=dict(
        _delete_=True, type='MobileNetV2', widen_factor=1.0,
        frozen_stages=7, norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint=lgd_checkpoint,
                      prefix='backbone.')),
    head=dict(in_channels=1280))
# mmpretrain's MobileNetV2 cannot freeze its last 1x1 conv (`conv2`) through
# frozen_stages; lr 0 keeps it fixed (see ..._in1k.py).
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={'backbone.conv2': dict(lr_mult=0.0, decay_mult=0.0)}))
