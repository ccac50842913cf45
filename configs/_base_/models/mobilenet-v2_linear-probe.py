# The LGD MobileNetV2 student for the linear probes (configs/benchmarks/):
# all 7 stages frozen, BN in eval mode (the authors' probe runs the whole
# model in eval mode, so their classifier's Dropout(0.2) is inactive), its
# 1280 pooled channels into the linear head. mmpretrain's MobileNetV2 cannot
# freeze its last 1x1 conv (`conv2`, 320 -> 1280) through frozen_stages:
# lr 0 keeps it fixed, so the whole backbone is frozen as the authors'.
# TransferMobileNetV2 freezes the 7 stages when it is built: mmpretrain's
# MobileNetV2 does so only in train(), after DDP has registered them, and DDP
# then stops at iteration 2 ("Expected to have finished reduction ...").
mnv2_checkpoint = 'work_dirs/lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k/epoch_200.pth'  # noqa
mnv2_probe_backbone = dict(
    type='TransferMobileNetV2', widen_factor=1.0, frozen_stages=7,
    norm_eval=True,
    init_cfg=dict(type='Pretrained', checkpoint=mnv2_checkpoint,
                  prefix='backbone.'))
mnv2_probe_paramwise = dict(
    custom_keys={'backbone.conv2': dict(lr_mult=0.0, decay_mult=0.0)})
