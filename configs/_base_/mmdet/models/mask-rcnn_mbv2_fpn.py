# Mask R-CNN MobileNetV2-FPN as the authors built it (github.com/mZhenz/LGD,
# mmdetection/configs/mask_rcnn/mask_rcnn_mnv2_fpn_1x_coco.py):
# MobileNetV2 stages 2, 4, 6 (32, 96, 320 channels, strides 8/16/32), a
# 3-level FPN (num_outs=3), RPN anchors and RoI extractors at strides
# 8/16/32, LeakyReLU(0.1) activations in the backbone (their detection
# config replaces MobileNetV2's ReLU6), all stages trainable with trainable
# BN. The backbone is mmpretrain's MobileNetV2 (the LGD student class; its
# key layout is mmdet's, which the authors converted torchvision weights
# into), so an LGD checkpoint's `backbone.*` keys load one to one. Its last
# 1x1 conv (`conv2`, output index 7) feeds only a classifier: with these
# out_indices it would get no gradient and stop DDP at iteration 2, so
# TransferMobileNetV2 does not build it (the authors set
# find_unused_parameters=True instead, a graph search every step); the
# checkpoint's conv2.* tensors are reported as not loaded. No init_cfg here
# (random init); see configs/mask_rcnn/.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.TransferMobileNetV2',
        widen_factor=1.0,
        out_indices=(2, 4, 6),
        frozen_stages=-1,
        act_cfg=dict(type='LeakyReLU', negative_slope=0.1),
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False),
    neck=dict(in_channels=[32, 96, 320], out_channels=256, num_outs=3),
    rpn_head=dict(anchor_generator=dict(strides=[8, 16, 32])),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_strides=[8, 16, 32]),
        mask_roi_extractor=dict(featmap_strides=[8, 16, 32])))
