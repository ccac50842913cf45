# Mask R-CNN R18-FPN with mmpretrain's ResNet-18 as backbone: the same class
# LGD trains as its student, so an LGD checkpoint's `backbone.*` keys load
# one to one. No init_cfg here (class default = random init); the configs
# under configs/mask_rcnn/ add the LGD or supervised initialisation.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ResNet',
        depth=18,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        style='pytorch'),
    neck=dict(in_channels=[64, 128, 256, 512]))
