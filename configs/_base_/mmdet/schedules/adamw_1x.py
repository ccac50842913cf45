# LGD paper fine-tuning recipe for Mask R-CNN: 1x schedule (12 epochs, steps
# at 8 and 11, linear warm-up) with AdamW lr 2e-4, weight decay 1e-4,
# backbone lr x0.1 and gradient clipping (max_norm as in the authors'
# released mmdet configs; AdamW is insensitive to the gradient's scale).
_base_ = 'mmdet::_base_/schedules/schedule_1x.py'

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}),
    clip_grad=dict(max_norm=0.1, norm_type=2))
