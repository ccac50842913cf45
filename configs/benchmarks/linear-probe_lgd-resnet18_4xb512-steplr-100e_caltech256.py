# PAPER PROTOCOL (see linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k.py)
# on Caltech-256 ("linear CT-256") in the paper's split
# (configs/_base_/datasets/caltech256_split.py): 256 object classes, 60
# seeded random training images per class, the rest for validation, drawn
# as the authors' tools/make-caltech-trainval.py but seeded.
_base_ = [
    './linear-probe_lgd-resnet18_4xb512-steplr-100e_in1k.py',
    '../_base_/datasets/caltech256_split.py',
]
train_dataloader = dict(dataset=dict(
    _delete_=True, ann_file='meta/train.txt',
    pipeline=_base_.train_pipeline, **_base_.caltech256))
val_dataloader = dict(dataset=dict(
    _delete_=True, ann_file='meta/val.txt',
    pipeline=_base_.test_pipeline, **_base_.caltech256))
test_dataloader = val_dataloader
model = dict(head=dict(num_classes=256))
data_preprocessor = dict(num_classes=256)
