"""Random weights in the layout a shipped config expects, for running it
without its real checkpoints: a pre-trained backbone file under the
config's own prefix, a text-aligned teacher's checkpoint, a whole model's
checkpoint for a test-only config. Nothing is downloaded."""
import copy
import os
import os.path as osp
from typing import Callable, Optional, Tuple

from mmengine.config import Config

__all__ = ['fabricate_model_checkpoint', 'fabricate_weights',
           'models_registry', 'text_aligned_teacher']

# Arguments that select outputs or training behaviour, not the weights:
# dropped, so the file holds the whole network as it was pre-trained (e.g.
# an LGD MobileNetV2 student with its conv2).
NOT_ARCH = ('init_cfg', 'out_indices', 'frozen_stages', 'norm_eval',
            'pretrained')


def models_registry(scope: str):
    """The ``MODELS`` registry of ``scope`` (mmdet, mmseg or mmpretrain)."""
    if scope == 'mmdet':
        from mmdet.registry import MODELS
    elif scope == 'mmseg':
        from mmseg.registry import MODELS
    else:
        from mmpretrain.registry import MODELS
    return MODELS


def _save(state: dict, path: str) -> str:
    import torch
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    torch.save({'state_dict': state}, path)
    return path


def fabricate_weights(module_cfg: dict, prefix: Optional[str], scope: str,
                      path: str) -> str:
    """Save random weights of ``module_cfg``'s architecture to ``path``.

    Args:
        module_cfg (dict): e.g. a backbone config (``NOT_ARCH`` keys are
            ignored; SyncBN should already be BN).
        prefix (str, optional): key prefix (``'backbone.'``), or None.
        scope (str): registry scope that builds ``module_cfg``.
        path (str): output file (``{'state_dict': ...}``).

    Returns:
        str: ``path``.
    """
    from mmengine.registry import DefaultScope
    arch = {k: copy.deepcopy(v) for k, v in module_cfg.items()
            if k not in NOT_ARCH}
    with DefaultScope.overwrite_default_scope(scope):
        state = models_registry(scope).build(arch).state_dict()
    return _save({f'{prefix or ""}{k}': v for k, v in state.items()}, path)


def text_aligned_teacher(config, shrink: Callable[[dict], None],
                         path: str) -> Tuple[dict, str]:
    """A text-aligned teacher's model config (from its config file or
    dict), shrunk by ``shrink`` (in place), and a checkpoint of it with
    random weights at ``path``; returns ``(model_cfg, path)``."""
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import MODELS
    if isinstance(config, str):
        from mmlgd.utils.configs import config_path
        file = config if osp.isfile(config) else config_path(
            config.split('configs/', 1)[-1])
        model = Config.fromfile(file).model
    else:
        model = copy.deepcopy(config)
    model = Config(dict(model=model)).model.to_dict()
    shrink(model)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        state = MODELS.build(copy.deepcopy(model)).state_dict()
    return model, _save(state, path)


def fabricate_model_checkpoint(cfg: Config, path: str) -> str:
    """Save random weights of ``cfg.model`` (built as configured, TSB
    included) to ``path``: the checkpoint a test-only config (zero-shot)
    evaluates. Returns ``path``."""
    from mmengine.registry import DefaultScope
    scope = cfg.get('default_scope', None) or 'mmpretrain'
    with DefaultScope.overwrite_default_scope(scope):
        state = models_registry(scope).build(
            copy.deepcopy(cfg.model)).state_dict()
    return _save(state, path)
