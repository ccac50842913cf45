_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
# MobileNetV3-Large student (960 output channels).
model = dict(
    backbone=dict(_delete_=True, type='MobileNetV3', arch='large',
                  norm_cfg=dict(type='SyncBN', eps=0.001, momentum=0.01)),
    neck=dict(in_channels=960))
