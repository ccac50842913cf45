# Baseline: Mask R-CNN R18-FPN 1x on COCO from a random backbone
# (mmpretrain's default Kaiming init). Backbone fully trainable with
# trainable BN statistics, since there is nothing pretrained to preserve.
_base_ = [
    '../_base_/mmdet/models/mask-rcnn_r18_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    '../_base_/mmdet/schedules/adamw_1x.py',
    '../_base_/mmdet/default_runtime.py',
]

model = dict(backbone=dict(frozen_stages=-1, norm_eval=False))
