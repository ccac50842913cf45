# Baseline: UperNet ResNet-18 on ADE20K (150 classes) from
# torchvision's supervised ImageNet-1k ResNet-18 (its key names equal
# mmpretrain ResNet's, so no prefix).
_base_ = [
    '../_base_/mmseg/models/upernet_r18.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/schedules/schedule_160k.py',
    '../_base_/mmseg/default_runtime.py',
]

crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150))
