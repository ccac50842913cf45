_base_ = './lgd_clip-rn50_resnet18_8xb256-90e_in1k-caltech256-text.py'
# Paper, Table 1, CT-256 data + text row: pre-trained on the Caltech-256
# train list of the paper's split (60 images per class, 15360 images) with
# the CT-256 text set, 90 epochs, zero-shot val on its val list. Batch and
# lr as the ImageNet runs (the authors' scripts give none for this run):
# 15360 / 2048 -> 7 iterations per epoch.
train_dataloader = dict(dataset=dict(
    _delete_=True, ann_file='meta/train.txt', pipeline=_base_.train_pipeline,
    **_base_.caltech256))
