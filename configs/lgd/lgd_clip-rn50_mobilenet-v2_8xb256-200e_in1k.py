_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
# Paper, Table 1: MobileNetV2 student (1280 output channels).
model = dict(
    backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=1.0,
                  norm_cfg=dict(type='SyncBN')),
    neck=dict(in_channels=1280))
