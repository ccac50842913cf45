# Mask R-CNN MobileNetV2-FPN 1x on COCO from an LGD-pre-trained MobileNetV2
# student. Override the checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = [
    '../_base_/mmdet/models/mask-rcnn_mbv2_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    '../_base_/mmdet/schedules/adamw_1x.py',
    '../_base_/mmdet/default_runtime.py',
]

# LGD pre-training run:
#   configs/lgd/lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k.py
lgd_checkpoint = 'work_dirs/lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k/epoch_200.pth'  # noqa

model = dict(
    # ImageNet mean/std (mmdet's default) for the fine-tune, as the
    # authors' detection configs, although the student was pre-trained on
    # CLIP-normalised images.
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=lgd_checkpoint, prefix='backbone.')))
# Batch as the authors ran it: 8 GPUs x 2 images (their mmdetection/run.sh:
# `... configs/mask_rcnn/mask_rcnn_mnv2_fpn_1x_coco.py 8`) at AdamW lr 2e-4.
# Launch with `bash tools/dist_train.sh THIS_CONFIG 8`; with another GPU
# count add --auto-scale-lr to keep lr per image.
auto_scale_lr = dict(enable=False, base_batch_size=16)
