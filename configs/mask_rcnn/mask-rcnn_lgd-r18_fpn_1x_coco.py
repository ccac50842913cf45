# Mask R-CNN R18-FPN 1x on COCO from an LGD-pre-trained ResNet-18 student.
# Point `lgd_checkpoint` at an LGD pre-training checkpoint (its student is
# stored under `backbone.*`) or at a `tools/extract_student.py` export, or
# override it:
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
# PretrainedBackboneCheckHook stops the run before the first iteration if the
# weights do not load (wrong prefix, architecture or path).
_base_ = [
    '../_base_/mmdet/models/mask-rcnn_r18_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    '../_base_/mmdet/schedules/adamw_1x.py',
    '../_base_/mmdet/default_runtime.py',
]

# LGD pre-training run:
#   configs/lgd/lgd_clip-rn50_resnet18_8xb256-90e_in1k-coco-text.py
lgd_checkpoint = 'work_dirs/lgd_clip-rn50_resnet18_8xb256-90e_in1k-coco-text/epoch_90.pth'  # noqa

model = dict(
    # ImageNet mean/std (mmdet's default) for the fine-tune, as the
    # authors' detection configs, although the student was pre-trained on
    # CLIP-normalised images.
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=lgd_checkpoint, prefix='backbone.')))
# Batch as the authors ran it: 2 GPUs x 2 images (their mmdetection/run.sh:
# `bash tools/dist_train.sh configs/mask_rcnn/mask_rcnn_r18_fpn_1x_coco.py
# 2`) at AdamW lr 2e-4. Launch with `bash tools/dist_train.sh THIS_CONFIG 2`;
# with another GPU count add --auto-scale-lr to keep lr per image.
auto_scale_lr = dict(enable=False, base_batch_size=4)
