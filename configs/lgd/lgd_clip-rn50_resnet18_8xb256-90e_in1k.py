_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
# Paper, Table 1: the 90-epoch schedule.
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=85, by_epoch=True, begin=5, end=90,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=90)
