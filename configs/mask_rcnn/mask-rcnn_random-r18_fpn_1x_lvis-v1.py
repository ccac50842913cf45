# Baseline: Mask R-CNN R18-FPN 1x on LVIS v1 from a random backbone. Data as
# mmdet's LVIS v1 recipe (repeat-factor sampling 1e-3, multi-scale train).
_base_ = [
    '../_base_/mmdet/models/mask-rcnn_r18_fpn.py',
    'mmdet::_base_/datasets/lvis_v1_instance.py',
    '../_base_/mmdet/schedules/adamw_1x.py',
    '../_base_/mmdet/default_runtime.py',
]

model = dict(
    backbone=dict(frozen_stages=-1, norm_eval=False),
    roi_head=dict(
        bbox_head=dict(num_classes=1203), mask_head=dict(num_classes=1203)),
    # LVIS evaluates up to 300 detections per image.
    test_cfg=dict(rcnn=dict(score_thr=0.0001, max_per_img=300)))
# Batch as the authors ran it: 4 GPUs x 2 images (their mmdetection/run.sh:
# `... configs/lvis/mask_rcnn_r18_fpn_sample1e-3_mstrain_1x_lvis_v1.py 4`)
# at AdamW lr 2e-4. Launch with `bash tools/dist_train.sh THIS_CONFIG 4`;
# with another GPU count add --auto-scale-lr to keep lr per image.
auto_scale_lr = dict(enable=False, base_batch_size=8)
# One LVIS v1 evaluation, after the last epoch, as the authors'
# (`evaluation = dict(interval=12)` in their mmdetection/configs/lvis/
# mask_rcnn_*_r18_fpn_sample1e-3_mstrain_1x_lvis_v1.py): a full LVIS
# evaluation is far slower than COCO's.
train_cfg = dict(val_interval=12)
