# MOCO-STYLE PROTOCOL (see ..._in1k.py) on Caltech-256 ("CT-256") in the
# paper's split (configs/_base_/datasets/caltech256_split.py). The paper's
# protocol: linear-probe_lgd-resnet18_4xb512-steplr-100e_caltech256.py.
_base_ = [
    './linear-probe_lgd-resnet18_8xb32-coslr-100e_in1k.py',
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
