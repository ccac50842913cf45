# Zero-shot Caltech-256 of the CLIP RN50 teacher itself (paper: 78.1 top-1),
# data and TSB as zero-shot_lgd-resnet18_caltech256.py:
#   python tools/test.py THIS_CONFIG none
_base_ = [
    './zero-shot_clip-rn50_in1k.py',
    '../_base_/datasets/caltech256_split.py',
]
model = dict(tsb=dict(classes='caltech256'))
data_preprocessor = dict(num_classes=256)
test_dataloader = dict(dataset=dict(
    _delete_=True, ann_file='meta/val.txt', pipeline=_base_.test_pipeline,
    **_base_.caltech256))
