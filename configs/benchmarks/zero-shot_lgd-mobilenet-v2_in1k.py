_base_ = './zero-shot_lgd-resnet18_in1k.py'
model = dict(
    backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=1.0),
    neck=dict(in_channels=1280))
