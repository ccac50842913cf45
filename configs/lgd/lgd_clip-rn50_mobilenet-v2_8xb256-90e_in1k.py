_base_ = './lgd_clip-rn50_resnet18_8xb256-90e_in1k.py'
# Paper, Table 1: MobileNetV2 student, 90 epochs (student as in the 200-epoch
# config: Dropout(0.2) before the projector, plain BN).
model = dict(
    backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=1.0,
                  norm_cfg=dict(type='BN')),
    neck=dict(in_channels=1280, dropout=0.2))
