_base_ = './lgd_clip-rn50_resnet18_8xb256-90e_caltech256.py'
# The same paper row with the MobileNetV2 student (as in
# lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k.py: Dropout(0.2) before the
# projector, plain BN).
model = dict(
    backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=1.0,
                  norm_cfg=dict(type='BN')),
    neck=dict(in_channels=1280, dropout=0.2))
