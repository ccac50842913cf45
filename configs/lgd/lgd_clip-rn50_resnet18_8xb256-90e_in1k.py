_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
# Paper, Table 1: the 90-epoch schedule (the authors' `--epochs 90`: the
# same warm-up, cosine over all 90 epochs counted from epoch 0).
param_scheduler = [
    dict(type='LinearLR', start_factor=0.03 / 0.24, end_factor=1.0,
         by_epoch=True, begin=0, end=6),
    dict(type='CosineAnnealingLR', T_max=90, eta_min=0.0, by_epoch=True,
         begin=0, end=90),
]
train_cfg = dict(max_epochs=90)
