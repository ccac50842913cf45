# Text-aligned teacher: a ResNet-18 classifier trained on the *labelled*
# split whose head projects into the MiniLM text space (TSB rows as frozen
# class weights), so it zero-shot-classifies through the TSB and can serve as
# the LGD teacher offline (CLIP weights cannot be fetched here).
_base_ = [
    '../_base_/datasets/fashion-mnist_32px.py',
    '../_base_/models/fashion-mnist_tsb_minilm.py',
    '../_base_/default_runtime.py',
]
model = dict(
    type='ImageClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(type='ResNet', depth=18),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='TextAlignedClsHead', in_channels=512,
              tsb={{_base_.fmnist_tsb}}))
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4,
                   nesterov=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=20),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=4,
         convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=4, val_interval=4)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(checkpoint=dict(interval=4, max_keep_ckpts=1),
                     logger=dict(interval=20))
