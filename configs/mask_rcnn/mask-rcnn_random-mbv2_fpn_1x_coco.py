# Baseline: Mask R-CNN MobileNetV2-FPN 1x on COCO from a random backbone.
_base_ = [
    '../_base_/mmdet/models/mask-rcnn_mbv2_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    '../_base_/mmdet/schedules/adamw_1x.py',
    '../_base_/mmdet/default_runtime.py',
]
# Batch as the authors ran it: 8 GPUs x 2 images (their mmdetection/run.sh:
# `... configs/mask_rcnn/mask_rcnn_mnv2_fpn_1x_coco.py 8`) at AdamW lr 2e-4.
# Launch with `bash tools/dist_train.sh THIS_CONFIG 8`; with another GPU
# count add --auto-scale-lr to keep lr per image.
auto_scale_lr = dict(enable=False, base_batch_size=16)
