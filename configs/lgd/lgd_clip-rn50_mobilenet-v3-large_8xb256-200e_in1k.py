_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
# MobileNetV3-Large student. As the authors' student
# (clipdistiller/architectures/mobilenet/mobilenetv3.py): its classifier's
# Linear(960, 1280) - h-swish - Dropout(0.2) stays before the projector
# (which then maps 1280 -> 1280 -> D), and its BatchNorm uses PyTorch's
# defaults (eps 1e-5, momentum 0.1), not torchvision's / mmpretrain's
# 1e-3 / 0.01. Plain BN.
model = dict(
    backbone=dict(_delete_=True, type='MobileNetV3', arch='large',
                  norm_cfg=dict(type='BN', eps=1e-5, momentum=0.1)),
    neck=dict(in_channels=960, pre_channels=1280,
              pre_act_cfg=dict(type='HSwish'), dropout=0.2))
