# Baseline: UperNet MobileNetV2 on ADE20K (150 classes) from mmpretrain's
# supervised ImageNet-1k MobileNetV2 (its keys are `backbone.*`).
_base_ = [
    '../_base_/mmseg/models/upernet_mbv2.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/schedules/schedule_160k.py',
    '../_base_/mmseg/default_runtime.py',
]

crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'mobilenet_v2/mobilenet_v2_batch256_imagenet_'
            '20200708-3b2dc3af.pth',
            prefix='backbone.')),
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150))
