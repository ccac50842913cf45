_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
# Paper, Table 1: MobileNetV2 student (1280 output channels). As the
# authors' student: its classifier's Dropout(0.2) stays before the projector
# (clipdistiller/architectures/mobilenet/mobilenetv2.py), plain BN.
model = dict(
    backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=1.0,
                  norm_cfg=dict(type='BN')),
    neck=dict(in_channels=1280, dropout=0.2))
