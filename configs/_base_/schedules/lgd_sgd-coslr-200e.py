# Paper recipe: SGD momentum 0.9, wd 1e-4, lr 0.03 x batch/256 (2048 -> 0.24),
# 5 warm-up epochs, cosine decay, mixed precision (AMP needs a GPU; on CPU
# use --cfg-options optim_wrapper.type=OptimWrapper).
optim_wrapper = dict(
    type='AmpOptimWrapper', loss_scale='dynamic',
    optimizer=dict(type='SGD', lr=0.03 * 2048 / 256, momentum=0.9,
                   weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=195, by_epoch=True, begin=5,
         end=200, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200)
auto_scale_lr = dict(base_batch_size=2048)
