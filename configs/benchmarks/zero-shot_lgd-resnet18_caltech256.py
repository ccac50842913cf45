# Zero-shot Caltech-256 ("zero-shot CT-256") of an LGD ResNet-18 student
# through a TSB of the 256 Caltech-256 names (clutter excluded; the
# `caltech256` category set) on the val list of the paper's split
# (tools/dataset_converters/split_caltech256.py), resize as the authors'
# main_zscls.py (short edge 256 bilinear, centre crop 224), CLIP mean/std:
#   python tools/test.py THIS_CONFIG CHECKPOINT
_base_ = [
    './zero-shot_lgd-resnet18_in1k.py',
    '../_base_/datasets/caltech256_split.py',
]
model = dict(tsb=dict(classes='caltech256'))
data_preprocessor = dict(num_classes=256)
test_dataloader = dict(dataset=dict(
    _delete_=True, ann_file='meta/val.txt', pipeline=_base_.test_pipeline,
    **_base_.caltech256))
