# UperNet ResNet-18 on Cityscapes (19 classes) from an LGD-pre-trained student.
# Point `lgd_checkpoint` at an LGD pre-training checkpoint (student under
# `backbone.*`) or a `tools/extract_student.py` export, or override it:
#   --cfg-options model.backbone.init_cfg.checkpoint=PATH
# PretrainedBackboneCheckHook stops the run before the first iteration if
# the weights do not load (wrong prefix, architecture or path).
_base_ = [
    '../_base_/mmseg/models/upernet_r18.py',
    'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    '../_base_/mmseg/default_runtime.py',
]

# LGD pre-training run:
#   configs/lgd/lgd_clip-rn50_resnet18_8xb256-200e_in1k-cityscapes-text.py
lgd_checkpoint = 'work_dirs/lgd_clip-rn50_resnet18_8xb256-200e_in1k-cityscapes-text/epoch_200.pth'  # noqa

crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)
model = dict(
    # ImageNet mean/std (mmseg's default), as the baselines and every
    # Mask R-CNN config, so that the comparison differs only in the init;
    # the authors normalise their detection fine-tunes so too, although the
    # student was pre-trained on CLIP-normalised images.
    data_preprocessor=data_preprocessor,
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=lgd_checkpoint,
            prefix='backbone.')),
    decode_head=dict(num_classes=19),
    auxiliary_head=dict(num_classes=19))
