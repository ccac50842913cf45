# Mask R-CNN MobileNetV2-FPN with mmpretrain's MobileNetV2 (widen 1.0), the
# LGD student class. Stages 1, 2, 4, 6 give strides 4/8/16/32 with 24, 32,
# 96, 320 channels, so mmdet's default anchors and RoI strides apply. No
# init_cfg here (random init); see configs/mask_rcnn/.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.MobileNetV2',
        widen_factor=1.0,
        out_indices=(1, 2, 4, 6),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False),
    neck=dict(in_channels=[24, 32, 96, 320]))
