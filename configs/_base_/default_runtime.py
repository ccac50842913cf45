# mmpretrain's runtime, plus mmlgd's modules and getattr-free checkpoints.
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(imports=['mmlgd'], allow_failed_imports=False)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3),
)
custom_hooks = [
    dict(type='PlainMessageHubHook'),
    dict(type='FiniteLossHook'),  # stop before a NaN state is checkpointed
    dict(type='EffectiveBatchHook'),  # log world_size x batch and the lr
    dict(type='ZeroShotCheckHook'),  # val/test labels = TSB rows; top-k <= K
]
log_processor = dict(window_size=50)
randomness = dict(seed=0, diff_rank_seed=False)
