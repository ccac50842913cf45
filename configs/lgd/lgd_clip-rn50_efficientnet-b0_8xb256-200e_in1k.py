_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
# EfficientNet-B0 student (1280 output channels). As the authors' student
# (lukemelas' EfficientNet-PyTorch in clipdistiller/architectures/
# efficientnet): drop-connect 0.2 x i / 16 in block i of 16 (mmpretrain
# spreads drop_path_rate x i / 15, hence 0.2 x 15 / 16), dropout 0.2 before
# the projector, BN eps 1e-3 and momentum 0.01 (TensorFlow's 0.99), TF
# "same" padding (mmpretrain's default Conv2dAdaptivePadding). Plain BN.
model = dict(
    backbone=dict(_delete_=True, type='EfficientNet', arch='b0',
                  drop_path_rate=0.2 * 15 / 16,
                  norm_cfg=dict(type='BN', eps=1e-3, momentum=0.01)),
    neck=dict(in_channels=1280, dropout=0.2))
