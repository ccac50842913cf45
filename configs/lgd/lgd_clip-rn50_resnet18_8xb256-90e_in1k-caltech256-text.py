_base_ = [
    './lgd_clip-rn50_resnet18_8xb256-90e_in1k.py',
    '../_base_/datasets/caltech256_split.py',
]
# Paper, Table 1, CT-256 text row: ImageNet images, the 256 Caltech-256
# object names (clutter excluded; `caltech256` category set) as the text
# set, 90 epochs. The zero-shot val runs on the val list of the paper's
# Caltech-256 split (tools/dataset_converters/split_caltech256.py): the
# table's zero-shot CT-256 column. Its zero-shot IN-1k column:
# configs/benchmarks/zero-shot_lgd-resnet18_in1k.py.
model = dict(tsb=dict(classes='caltech256'))
val_dataloader = dict(dataset=dict(
    _delete_=True, ann_file='meta/val.txt', pipeline=_base_.val_pipeline,
    **_base_.caltech256))
