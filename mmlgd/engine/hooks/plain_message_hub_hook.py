"""Write Runner checkpoints whose message hub needs no ``builtins.getattr``."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from mmlgd.checkpoint_compat import (
    message_hub_from_plain,
    message_hub_to_plain,
)


@HOOKS.register_module()
class PlainMessageHubHook(Hook):
    """Store the message hub in plain tensors; rebuild it on resume.

    mmengine pickles ``HistoryBuffer`` objects through ``builtins.getattr``,
    which a safe ``weights_only=True`` load must refuse. This hook rewrites
    ``checkpoint['message_hub']`` before saving (see
    :func:`mmlgd.checkpoint_compat.message_hub_to_plain`) and restores
    HistoryBuffers right after loading, before the Runner resumes the hub.

    Registered in mmengine's root ``HOOKS`` so mmpretrain, mmdet and mmseg
    configs all find it: ``custom_hooks=[dict(type='PlainMessageHubHook')]``.
    """

    priority = 'VERY_LOW'  # after hooks that add to the checkpoint

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = message_hub_to_plain(
                checkpoint['message_hub'])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = message_hub_from_plain(
                checkpoint['message_hub'])
