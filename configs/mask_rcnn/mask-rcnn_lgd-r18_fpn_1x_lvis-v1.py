# Mask R-CNN R18-FPN 1x on LVIS v1 from an LGD-pre-trained ResNet-18 student
# (the paper also pre-trains with LVIS category names as the text set).
# Override the checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    '../_base_/mmdet/models/mask-rcnn_r18_fpn.py',
    'mmdet::_base_/datasets/lvis_v1_instance.py',
    '../_base_/mmdet/schedules/adamw_1x.py',
    '../_base_/mmdet/default_runtime.py',
]

# LGD pre-training run:
#   configs/lgd/lgd_clip-rn50_resnet18_8xb256-90e_in1k-lvis-v0.5-text.py
lgd_checkpoint = 'work_dirs/lgd_clip-rn50_resnet18_8xb256-90e_in1k-lvis-v0.5-text/epoch_90.pth'  # noqa

model = dict(
    # ImageNet mean/std (mmdet's default) for the fine-tune, as the
    # authors' detection configs, although the student was pre-trained on
    # CLIP-normalised images.
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=lgd_checkpoint, prefix='backbone.')),
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
