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
# Batch as the authors ran it: 2 GPUs x 2 images (their mmdetection/run.sh:
# `bash tools/dist_train.sh configs/mask_rcnn/mask_rcnn_r18_fpn_1x_coco.py
# 2`) at AdamW lr 2e-4. Launch with `bash tools/dist_train.sh THIS_CONFIG 2`;
# with another GPU count add --auto-scale-lr to keep lr per image.
auto_scale_lr = dict(enable=False, base_batch_size=4)
