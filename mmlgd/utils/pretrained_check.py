"""Verify that modules configured with a ``Pretrained`` init_cfg really hold
the checkpoint's weights.

mmengine's ``PretrainedInit`` loads with ``strict=False`` and only *logs*
missing keys, unexpected keys and shape mismatches, so a wrong prefix, a
checkpoint of another architecture or a skipped ``init_weights()`` silently
leaves the backbone randomly initialised. :func:`check_pretrained_init` turns
each of these into a :class:`RuntimeError` naming the cause and the fix.
:class:`mmlgd.engine.hooks.PretrainedBackboneCheckHook` runs it before the
first training iteration.
"""
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, Iterator, List, Optional, Tuple

import torch
from torch import nn

__all__ = [
    'check_pretrained_init', 'check_module_weights', 'iter_pretrained_cfgs',
    'load_pretrained_state_dict'
]

_SHOW = 5  # how many offending keys an error message names


def iter_pretrained_cfgs(model: nn.Module) -> Iterator[Tuple[str, nn.Module,
                                                              dict]]:
    """Yield ``(name, module, cfg)`` for each ``type='Pretrained'`` init_cfg.

    ``name`` is the module's dotted name in ``model`` (``''`` for ``model``
    itself); ``cfg`` is the init_cfg dict (``checkpoint``, optional
    ``prefix``). Model wrappers (DDP) are looked through.
    """
    model = getattr(model, 'module', model) if _is_wrapper(model) else model
    for name, module in model.named_modules():
        init_cfg = getattr(module, 'init_cfg', None)
        cfgs = init_cfg if isinstance(init_cfg, (list, tuple)) else [init_cfg]
        for cfg in cfgs:
            if (hasattr(cfg, 'get') and cfg.get('type') == 'Pretrained'
                    and cfg.get('checkpoint')):
                yield name, module, cfg


def _is_wrapper(model: nn.Module) -> bool:
    from mmengine.model import is_model_wrapper
    return is_model_wrapper(model)


def _require_file(checkpoint: str) -> None:
    """Raise ``RuntimeError`` for a local path that does not exist."""
    if '://' not in checkpoint and not osp.isfile(osp.expanduser(checkpoint)):
        raise RuntimeError(
            f'Pretrained checkpoint {checkpoint!r} does not exist: fix '
            'init_cfg.checkpoint (e.g. --cfg-options '
            'model.backbone.init_cfg.checkpoint=PATH).')


def _load_file(checkpoint: str) -> dict:
    """Load a local file with the safe loader, other schemes via mmengine."""
    from mmlgd.checkpoint_compat import safe_torch_load
    _require_file(checkpoint)
    if osp.isfile(osp.expanduser(checkpoint)):
        return safe_torch_load(osp.expanduser(checkpoint), map_location='cpu')
    from mmengine.runner.checkpoint import CheckpointLoader
    return CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')


def strip_prefix(state: Dict[str, torch.Tensor],
                 prefix: str) -> Dict[str, torch.Tensor]:
    """The entries of ``state`` whose key starts with ``prefix``, with the
    prefix removed (what mmengine's ``PretrainedInit(prefix=...)`` loads).

    Args:
        state (Dict[str, torch.Tensor]): a state dict.
        prefix (str): e.g. ``'backbone.'``.

    Returns:
        Dict[str, torch.Tensor]: an ordered dict, possibly empty.
    """
    return OrderedDict((k[len(prefix):], v) for k, v in state.items()
                       if k.startswith(prefix))


def load_pretrained_state_dict(checkpoint: str,
                               prefix: Optional[str] = None,
                               where: str = 'module') -> Dict[str,
                                                              torch.Tensor]:
    """The tensors ``PretrainedInit(checkpoint, prefix)`` would load.

    Mirrors mmengine: take ``ckpt['state_dict']`` when present; with a
    ``prefix`` keep the keys starting with it (prefix stripped); without one
    strip a leading ``module.``.

    Raises:
        RuntimeError: the file is missing, or holds no key with ``prefix``
            (message says how to get a file with that prefix or drop it).
    """
    if prefix is None:
        ckpt = _load_file(checkpoint)
        state = (ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict)
                 else ckpt)
        if not isinstance(state, dict):
            raise RuntimeError(f'{where}: {checkpoint!r} holds no state '
                               f'dict (got {type(state).__name__}).')
        return OrderedDict((re.sub(r'^module\.', '', k), v)
                           for k, v in state.items())
    _require_file(checkpoint)
    # mmengine's own helper, the one PretrainedInit(prefix=...) calls
    from mmengine.runner.checkpoint import _load_checkpoint_with_prefix
    try:
        return OrderedDict(_load_checkpoint_with_prefix(
            prefix, osp.expanduser(checkpoint), map_location='cpu'))
    except AssertionError:  # mmengine asserts the prefix matched something
        ckpt = _load_file(checkpoint)
        state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) \
            else {}
        heads = sorted({k.split('.', 1)[0] + '.' for k in state})[:_SHOW]
        raise RuntimeError(
            f"{where}: no {prefix.rstrip('.') + '.'!r} keys in "
            f'{checkpoint!r} (its keys start with {heads}); is this an LGD '
            'checkpoint? An LGD pre-training checkpoint and '
            "`tools/extract_student.py` exports keep 'backbone.*'; for a "
            'prefix-less backbone file (torchvision weights, '
            '`tools/extract_student.py --format torchvision`) set '
            'init_cfg.prefix=None; if the file stores the backbone under '
            'another name, set init_cfg.prefix to that name.') from None


def check_module_weights(module: nn.Module,
                         state: Dict[str, torch.Tensor],
                         source: str = 'checkpoint',
                         where: str = 'module',
                         check_values: bool = True) -> int:
    """Check ``module``'s parameters and buffers against ``state``.

    Args:
        module: the module the checkpoint was loaded into.
        state: ``{key: tensor}`` keyed like ``module.state_dict()``.
        source / where: names used in error messages (file, module name).
        check_values: also require every tensor to equal the file's (set
            False after ``load_from``/resume overwrote the initial weights).

    Returns:
        int: number of tensors checked.

    Raises:
        RuntimeError: a shape differs, a module key is missing from
            ``state``, or (``check_values``) a tensor differs from the file.
    """
    own = module.state_dict()
    problems: List[str] = []
    shapes = [(k, tuple(state[k].shape), tuple(v.shape))
              for k, v in own.items()
              if k in state and state[k].shape != v.shape]
    if shapes:
        eg = ', '.join(f'{k!r}: checkpoint {a} vs model {b}'
                       for k, a, b in shapes[:_SHOW])
        problems.append(
            f'{len(shapes)} tensor(s) have a different shape in the '
            f'checkpoint than in the model, e.g. {eg}. The checkpoint was '
            'made for another architecture (e.g. ResNet-18 weights in a '
            'ResNet-50 config): make the backbone config match it.')
    missing = [k for k in own if k not in state]
    if missing:
        hint = ''
        if any(k.startswith('backbone.') for k in state):
            hint = (" The file's keys start with 'backbone.': set "
                    "init_cfg.prefix='backbone.'.")
        elif len(missing) == len(own):
            hint = ' ' + all_missing_hint(own, state, module)
        problems.append(
            f'{len(missing)} of {len(own)} parameters/buffers are missing '
            f'from the checkpoint, e.g. {missing[:_SHOW]}.{hint}')
    if not problems and check_values:
        differ = [k for k, v in own.items()
                  if not torch.equal(v.detach().cpu(),
                                     state[k].detach().cpu().to(v.dtype))]
        if differ:
            problems.append(
                f'{len(differ)} of {len(own)} tensors differ from the '
                f'checkpoint, e.g. {differ[:_SHOW]}: the pretrained weights '
                'were not loaded (init_weights() not called, or the weights '
                're-initialised/overwritten afterwards).')
    if problems:
        raise RuntimeError(f'Pretrained init of {where} from {source!r} '
                           'failed: ' + ' '.join(problems))
    return len(own)


_RESNET_DEPTHS = {((2, 2, 2, 2), False): 18, ((3, 4, 6, 3), False): 34,
                  ((3, 4, 6, 3), True): 50, ((3, 4, 23, 3), True): 101,
                  ((3, 8, 36, 3), True): 152}


def guess_architecture(keys) -> Optional[str]:
    """What a state dict's keys look like (mmpretrain / torchvision naming),
    or None: e.g. ``'ResNet-18'``, ``'MobileNetV2'``, ``'a CLIP image
    encoder'``.

    Args:
        keys (Iterable[str]): state-dict keys (no prefix).
    """
    keys = list(keys)
    if any(k.startswith(('visual.', 'attnpool.')) for k in keys):
        return 'a CLIP image encoder (open_clip / OpenAI naming)'
    blocks: Dict[int, set] = {}
    for k in keys:
        m = re.match(r'layer([1-4])\.(\d+)\.', k)
        if m:
            blocks.setdefault(int(m.group(1)), set()).add(int(m.group(2)))
    if sorted(blocks) == [1, 2, 3, 4] and not any(
            k.startswith('layer5.') for k in keys):
        counts = tuple(len(blocks[i]) for i in (1, 2, 3, 4))
        bottleneck = any(k.startswith('layer1.0.conv3.') for k in keys)
        depth = _RESNET_DEPTHS.get((counts, bottleneck))
        return (f'ResNet-{depth}' if depth else
                f"a ResNet ({'bottleneck' if bottleneck else 'basic'} "
                f'blocks {counts})')
    if 'conv1.conv.weight' in keys and any(k.startswith('layer7.')
                                           for k in keys):
        return 'MobileNetV2 (mmpretrain naming)'
    if any(k.startswith('features.') for k in keys):
        return 'a torchvision model (features.* keys, e.g. MobileNetV2)'
    return None


def all_missing_hint(own: Dict[str, torch.Tensor],
                     state: Dict[str, torch.Tensor],
                     module: nn.Module) -> str:
    """Why no key of ``own`` is in ``state``: a prefix the file adds, or
    another architecture (both sides named by :func:`guess_architecture`).
    """
    first = next(iter(own))
    for k in state:
        prefix = k[:-len(first)]
        if k.endswith('.' + first) and all(prefix + o in state for o in own):
            return (f'The file stores these keys under a further prefix '
                    f'{prefix!r} (e.g. {k!r}): append it to '
                    'init_cfg.prefix.')
    file_arch = guess_architecture(state) or 'another architecture'
    model_arch = guess_architecture(own) or type(module).__name__
    return (f'No key matches: the file ({len(state)} tensors, e.g. '
            f'{list(state)[:3]}) looks like {file_arch}, the model is '
            f'{model_arch} (keys e.g. {list(own)[:3]}). Likely a checkpoint '
            'of another architecture: use a checkpoint of this backbone, or '
            "make the backbone config match the file's architecture.")


def check_pretrained_init(model: nn.Module,
                          check_values: bool = True) -> List[str]:
    """Check every ``init_cfg=dict(type='Pretrained', ...)`` in ``model``.

    Call after ``model.init_weights()``. For each such module the file is
    loaded (local files with :func:`mmlgd.checkpoint_compat.safe_torch_load`),
    the ``prefix`` keys taken, and the module compared key by key.

    Args:
        model: the built model (wrappers are looked through).
        check_values: also require the tensors to equal the file's.

    Returns:
        list[str]: ``'<module name> <- <checkpoint>'`` for each module checked,
        followed by ``'; not built here, so not loaded: conv2.*'`` when the
        file holds layers the module does not build (e.g.
        :class:`mmlgd.models.TransferMobileNetV2`).

    Raises:
        RuntimeError: no key with the prefix, missing keys, shape mismatches
            or (``check_values``) tensors that differ from the file; the
            message names the module, the file and the first offending keys.
    """
    checked = []
    for name, module, cfg in iter_pretrained_cfgs(model):
        where = f"'{name or type(module).__name__}'"
        state = load_pretrained_state_dict(cfg['checkpoint'],
                                           cfg.get('prefix', None), where)
        check_module_weights(module, state, cfg['checkpoint'], where,
                             check_values)
        line = f"{name or '<model>'} <- {cfg['checkpoint']}"
        own = module.state_dict()
        skipped = sorted({k.split('.', 1)[0] for k in state if k not in own})
        if skipped:  # e.g. MobileNetV2's conv2, not built for detection
            line += ('; not built here, so not loaded: ' +
                     ', '.join(f'{k}.*' for k in skipped))
        checked.append(line)
    return checked
