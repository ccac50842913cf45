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
# Batch as the authors ran it: 2 GPUs x 2 images (their mmdetection/run.sh:
# `bash tools/dist_train.sh configs/mask_rcnn/mask_rcnn_r18_fpn_1x_coco.py
# 2`) at AdamW lr 2e-4. Launch with `bash tools/dist_train.sh THIS_CONFIG 2`;
# with another GPU count add --auto-scale-lr to keep lr per image.
auto_scale_lr = dict(enable=False, base_batch_size=4)
