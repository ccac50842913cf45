# Zero-shot Fashion-MNIST test accuracy of an LGD student through the TSB:
#   python tools/test.py THIS_CONFIG work_dirs/demo/lgd_s0/epoch_2.pth
_base_ = [
    '../_base_/datasets/fashion-mnist_32px.py',
    '../_base_/models/fashion-mnist_tsb_minilm.py',
    '../_base_/default_runtime.py',
]
model = dict(
    type='ZeroShotClassifier',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(type='ResNet', depth=18),
    neck=dict(type='LGKANeck', in_channels=512),
    tsb={{_base_.fmnist_tsb}},
    logit_scale=100.0)
train_dataloader = None
train_cfg = None
val_dataloader = None
val_evaluator = None
val_cfg = None
optim_wrapper = None
param_scheduler = None
