_base_ = [
    '../_base_/models/lgd_clip-rn50_resnet18.py',
    '../_base_/datasets/imagenet_lgd_mocov2.py',
    '../_base_/datasets/imagenet_lgd_zero-shot-val.py',
    '../_base_/schedules/lgd_sgd-coslr-200e.py',
    '../_base_/default_runtime.py',
]
# Paper, Table 1: ResNet-18 student, 200 epochs, 8 GPUs x 256 = 2048.
# As the authors' student (torchvision-style ResNet-18 of their
# clipdistiller/architectures/moco/moco_resnet.py): no zero-initialised
# residual BN, plain per-GPU BatchNorm (their main.py never converts to
# SyncBN).
model = dict(backbone=dict(norm_cfg=dict(type='BN'),
                           zero_init_residual=False))
# Zero-shot val every 5 epochs (student through the TSB, see LGD.predict);
# the frozen teacher's zero-shot is measured once.
custom_hooks = _base_.custom_hooks + [dict(type='TeacherZeroShotHook')]
