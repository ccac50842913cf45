# The authors' schedule (github.com/mZhenz/LGD, main.py and
# tools/utils.py:adjust_learning_rate): SGD momentum 0.9, wd 1e-4, lr set
# once per epoch e (0-based):
#   e < 5: 0.03 + (0.24 - 0.03) * e / 5  (warm-up from the batch-256 lr to
#          0.03 x 2048/256 = 0.24);
#   e >= 5: 0.24 * (1 + cos(pi * e / 200)) / 2  (cosine over all 200
#          epochs, counted from epoch 0).
# mmengine chains the two schedulers multiplicatively: epochs >= 5 are
# exact; warm-up epochs 1-4 are additionally scaled by the cosine factor
# (>= 0.9990 for 200 epochs, >= 0.995 for 90: at most 0.1% / 0.5% lower).
# Mixed precision as the authors. AMP needs a GPU: on a machine without one,
# tools/train.py trains with the plain OptimWrapper and logs it (the same as
# --cfg-options optim_wrapper.type=OptimWrapper, which drops loss_scale).
optim_wrapper = dict(
    type='AmpOptimWrapper', loss_scale='dynamic',
    optimizer=dict(type='SGD', lr=0.03 * 2048 / 256, momentum=0.9,
                   weight_decay=1e-4))
param_scheduler = [
    # factor 0.125 + 0.875 * e / 5 at epochs 0..5 (1.0 from epoch 5)
    dict(type='LinearLR', start_factor=0.03 / 0.24, end_factor=1.0,
         by_epoch=True, begin=0, end=6),
    dict(type='CosineAnnealingLR', T_max=200, eta_min=0.0, by_epoch=True,
         begin=0, end=200),
]
# Validation (if a config has a val loop) every 5 epochs, as the authors'
# zero-shot val (configs/_base_/datasets/imagenet_lgd_zero-shot-val.py).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200, val_interval=5)
auto_scale_lr = dict(base_batch_size=2048)
