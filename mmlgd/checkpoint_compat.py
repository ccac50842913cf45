"""Safe (``weights_only=True``) loading of mmengine checkpoints, torch>=2.6.

torch >= 2.6 loads with ``weights_only=True`` by default, and mmengine 0.10.7
calls ``torch.load`` without the argument, so Runner checkpoints that hold
mmengine objects fail to load. This module fixes that *without* switching
``weights_only`` off:

* :data:`SAFE_GLOBALS` allow-lists a few harmless types (mmengine's
  ``HistoryBuffer`` and numpy's array/dtype/scalar reconstruction). It never
  allow-lists ``builtins.getattr``: with it, a pickle can reach any attribute
  of any allow-listed object, which re-opens arbitrary code execution.
* mmengine's ``HistoryBuffer`` pickles its statistics methods through
  ``getattr``. :func:`message_hub_to_plain` / :func:`message_hub_from_plain`
  convert the message-hub part of a checkpoint to and from plain tensors and
  are applied by :class:`mmlgd.engine.hooks.PlainMessageHubHook`, so the
  checkpoints mmlgd runs write need no ``getattr``.
* mmengine's local checkpoint loader is wrapped so that a file that needs a
  non-allow-listed global is refused with a message naming the globals and the
  conversion command (``tools/misc/convert_checkpoint.py --trust``).

Why a plain allow-list of types is not enough (and the loader is
replaced): the allow-list alone leaves mmengine's loader calling
``torch.load`` unchanged, and a Runner checkpoint written without
:class:`PlainMessageHubHook` (any checkpoint of plain mmengine or
mmpretrain) still needs ``builtins.getattr``, which must never be
allow-listed. torch then fails with a generic message whose suggested
remedy is ``weights_only=False``, i.e. switching safety off for every file.
The replacement keeps ``weights_only=True`` for every file and turns that
failure into a refusal that names the offending globals and the safe
conversion of a trusted file. It is registered through mmengine's own
extension point (``CheckpointLoader.register_scheme``, the local-path
scheme), not by replacing a function object, and it loads exactly what the
allow-list admits.

Importing :mod:`mmlgd` calls :func:`install` once.
"""
import pickle
from typing import Dict, List

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

PLAIN_MARKER = '__mmlgd_plain_message_hub__'
CONVERT_HINT = ('If you trust this file, convert it once with '
                '`python tools/misc/convert_checkpoint.py {path} OUT.pth '
                '--trust` and load OUT.pth instead.')


def _numpy_globals() -> List:
    """Numpy callables/types needed to rebuild plain ndarrays and scalars."""
    try:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    dtype_classes = [type(np.dtype(t)) for t in (
        np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
        np.float16, np.float32, np.float64)]
    return [_reconstruct, scalar, np.ndarray, np.dtype] + dtype_classes


SAFE_GLOBALS = [HistoryBuffer] + _numpy_globals()


def message_hub_to_plain(state: Dict) -> Dict:
    """Convert a ``MessageHub.state_dict()`` to a form with no HistoryBuffer.

    Args:
        state (dict): ``{'log_scalars': {name: HistoryBuffer}, 'runtime_info':
            {...}, 'resumed_keys': {...}}`` as written by mmengine's Runner.

    Returns:
        dict: the same dict with each HistoryBuffer replaced by
        ``{'log_history': Tensor(N), 'count_history': Tensor(N),
        'max_length': int}`` and a marker key, so that loading it needs no
        ``getattr``. Already-plain input is returned unchanged.
    """
    if state.get(PLAIN_MARKER):
        return state
    scalars = {}
    for name, buf in state.get('log_scalars', {}).items():
        log, count = buf.data
        scalars[name] = dict(
            log_history=torch.as_tensor(np.asarray(log, dtype=np.float64)),
            count_history=torch.as_tensor(np.asarray(count,
                                                     dtype=np.float64)),
            max_length=int(buf.max_length))
    info = {k: _plain_value(v)
            for k, v in (state.get('runtime_info') or {}).items()}
    return {**state, 'log_scalars': scalars, 'runtime_info': info,
            PLAIN_MARKER: True}


def _plain_value(value):
    """A numpy scalar as the Python number it holds, a numpy array as a
    tensor (mmengine keeps e.g. ``eta`` as ``numpy.float64``, whose pickle
    needs numpy globals that a plain ``weights_only`` load refuses);
    containers converted item by item; anything else unchanged."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(value))
    if isinstance(value, dict):
        return {k: _plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain_value(v) for v in value)
    return value


def message_hub_from_plain(state: Dict) -> Dict:
    """Inverse of :func:`message_hub_to_plain` (rebuilds HistoryBuffers).

    Input that is not marked plain is returned unchanged.
    """
    if not state.get(PLAIN_MARKER):
        return state
    # Runner.resume maps the checkpoint onto the run's device: back to CPU.
    scalars = {
        name: HistoryBuffer(
            v['log_history'].cpu().numpy(), v['count_history'].cpu().numpy(),
            max_length=v['max_length'])
        for name, v in state['log_scalars'].items()
    }
    out = {k: v for k, v in state.items() if k != PLAIN_MARKER}
    out['log_scalars'] = scalars
    return out


def safe_torch_load(path: str, map_location='cpu'):
    """``torch.load(path, weights_only=True)`` with a clear refusal message.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        pickle.UnpicklingError: the file needs globals outside the
            allow-list (e.g. ``builtins.getattr``, or a crafted callable); the
            message lists them and how to convert a trusted file.
    """
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        try:
            needed = torch.serialization.get_unsafe_globals_in_checkpoint(path)
        except Exception:  # noqa: BLE001 - best effort for the message only
            needed = ['<could not be listed>']
        allowed = {f'{g.__module__}.{g.__qualname__}'
                   for g in torch.serialization.get_safe_globals()
                   if hasattr(g, '__qualname__')}
        missing = [g for g in needed if g not in allowed]
        raise pickle.UnpicklingError(
            f'Refusing to load {path!r} with weights_only=True: it needs '
            f'globals that are not allow-listed: {missing}. '
            '`builtins.getattr` (mmengine HistoryBuffer pickles use it) and '
            'arbitrary callables can execute code while unpickling. '
            + CONVERT_HINT.format(path=path)) from err


_installed = False


def install() -> None:
    """Allow-list :data:`SAFE_GLOBALS` and route mmengine's local loader
    through :func:`safe_torch_load`. Idempotent."""
    global _installed
    if _installed:
        return
    torch.serialization.add_safe_globals(SAFE_GLOBALS)

    import os.path as osp

    from mmengine.runner.checkpoint import CheckpointLoader

    @CheckpointLoader.register_scheme(prefixes='', force=True)
    def load_from_local(filename, map_location):
        filename = osp.expanduser(filename)
        if not osp.isfile(filename):
            raise FileNotFoundError(
                f'Checkpoint {filename!r} does not exist: check the path '
                '(load_from / --resume / init_cfg.checkpoint).')
        return safe_torch_load(filename, map_location=map_location)

    _installed = True
