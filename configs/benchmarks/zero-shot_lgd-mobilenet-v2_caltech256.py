# Zero-shot Caltech-256 of an LGD MobileNetV2 student (see
# zero-shot_lgd-resnet18_caltech256.py).
_base_ = './zero-shot_lgd-resnet18_caltech256.py'
model = dict(
    backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=1.0),
    neck=dict(in_channels=1280))
