# mmseg runtime + what every mmlgd transfer config needs: mmlgd (hooks, safe
# checkpoint loading) and mmpretrain's backbones, and the two hooks that keep
# checkpoints weights_only-loadable and fail a run whose pretrained backbone
# did not load.
_base_ = 'mmseg::_base_/default_runtime.py'

default_scope = 'mmseg'
custom_imports = dict(
    imports=['mmlgd', 'mmpretrain.models'], allow_failed_imports=False)
custom_hooks = [
    dict(type='PlainMessageHubHook'),
    dict(type='PretrainedBackboneCheckHook'),
    dict(type='FiniteLossHook'),
]
