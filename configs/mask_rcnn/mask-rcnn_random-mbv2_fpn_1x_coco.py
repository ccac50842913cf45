# Baseline: Mask R-CNN MobileNetV2-FPN 1x on COCO from a random backbone.
_base_ = [
    '../_base_/mmdet/models/mask-rcnn_mbv2_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    '../_base_/mmdet/schedules/adamw_1x.py',
    '../_base_/mmdet/default_runtime.py',
]
