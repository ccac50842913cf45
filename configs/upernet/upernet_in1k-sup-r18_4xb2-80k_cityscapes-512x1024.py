# Baseline: UperNet ResNet-18 on Cityscapes (19 classes) from
# torchvision's supervised ImageNet-1k ResNet-18 (its key names equal
# mmpretrain ResNet's, so no prefix).
_base_ = [
    '../_base_/mmseg/models/upernet_r18.py',
    'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    '../_base_/mmseg/default_runtime.py',
]

crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    decode_head=dict(num_classes=19),
    auxiliary_head=dict(num_classes=19))
