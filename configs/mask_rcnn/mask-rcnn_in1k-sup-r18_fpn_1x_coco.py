# Baseline: Mask R-CNN R18-FPN 1x on COCO from torchvision's supervised
# ImageNet-1k ResNet-18 (same fine-tuning recipe as the LGD config).
# torchvision's key names equal mmpretrain ResNet's, so no prefix is needed.
_base_ = [
    '../_base_/mmdet/models/mask-rcnn_r18_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    '../_base_/mmdet/schedules/adamw_1x.py',
    '../_base_/mmdet/default_runtime.py',
]

model = dict(
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')))
