_base_ = [
    '../_base_/models/lgd_clip-rn50_resnet18.py',
    '../_base_/datasets/imagenet_lgd_mocov2.py',
    '../_base_/schedules/lgd_sgd-coslr-200e.py',
    '../_base_/default_runtime.py',
]
# Paper, Table 1: ResNet-18 student, 200 epochs, 8 GPUs x 256 = 2048.
model = dict(backbone=dict(norm_cfg=dict(type='SyncBN')))
