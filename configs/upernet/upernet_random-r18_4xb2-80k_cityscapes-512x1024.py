# Baseline: UperNet ResNet-18 on Cityscapes (19 classes) from a
# random backbone (mmpretrain's default init), mmseg's standard UperNet
# schedule.
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
    decode_head=dict(num_classes=19),
    auxiliary_head=dict(num_classes=19))
