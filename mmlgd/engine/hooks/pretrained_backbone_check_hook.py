"""Fail a training run early when a ``Pretrained`` backbone did not load."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from mmlgd.utils.pretrained_check import check_pretrained_init


@HOOKS.register_module()
class PretrainedBackboneCheckHook(Hook):
    """Raise before the first iteration if pretrained weights did not load.

    Why it exists: silently training from a random backbone is the most
    common failure when plugging a self-supervised / distilled backbone (an
    LGD student) into mmdet or mmseg. mmengine's ``PretrainedInit`` loads
    with ``strict=False`` and only logs a warning when the prefix matches
    nothing (LGD checkpoints keep the student under ``backbone.``), when keys
    are missing or when shapes differ (ResNet-18 weights in a ResNet-50
    config); the run then trains for hours and reports a "random init"
    number. This hook calls
    :func:`mmlgd.utils.pretrained_check.check_pretrained_init` in
    ``before_train``, i.e. after the Runner has called ``init_weights()``,
    and turns each of these cases into a :class:`RuntimeError` naming the
    module, the file, the first offending keys and the fix. In training runs
    it also checks keys and shapes in ``before_run``, i.e. before
    ``init_weights()``, whose own failure for a prefix that matches nothing
    is a bare ``AssertionError``.

    When the Runner loaded a checkpoint itself (``load_from`` or resume), the
    backbone legitimately differs from the pretrained file, so only keys and
    shapes are checked then.

    Registered in mmengine's root ``HOOKS``, so mmpretrain, mmdet and mmseg
    configs all find it: ``custom_hooks=[dict(type=
    'PretrainedBackboneCheckHook')]``. It does nothing in test/val runs.
    """

    priority = 'VERY_HIGH'  # fail before other hooks do any work

    def before_run(self, runner) -> None:
        from mmengine.runner.loops import BaseLoop
        if isinstance(getattr(runner, '_train_loop', None), BaseLoop):
            check_pretrained_init(runner.model, check_values=False)

    def before_train(self, runner) -> None:
        loaded = bool(getattr(runner, '_has_loaded', False))
        checked = check_pretrained_init(runner.model, check_values=not loaded)
        what = 'keys and shapes' if loaded else 'keys, shapes and values'
        for line in checked:
            runner.logger.info(f'PretrainedBackboneCheckHook: {what} OK for '
                               f'{line}')
