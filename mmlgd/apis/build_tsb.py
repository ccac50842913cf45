"""Build (and cache) the Textual Semantics Bank of a run, for any names.

    python tools/build_tsb.py CONFIG_OR_CHECKPOINT [--classes NAMES]
        [--templates T ...] [--out tsb.npy [--force]] [--cfg-options k=v ...]

Builds ``model.tsb`` (or ``model.head.tsb`` for a text-aligned classifier)
exactly as training will, so the run starts from the cache. Prints the TSB
shape, its cache key and file. With an LGD checkpoint, the run's config is
read from the file. ``--classes`` swaps in other category names (encoded
with the run's own text encoder and templates); ``--out x.npy`` also writes
the bank as a plain ``.npy`` (float32, (K, D), unit rows: what an ONNX
export's ``embedding`` output is multiplied with, see docs/deployment.md)
and its row names to ``x.txt`` (one per line), both atomically. The
command line is :mod:`mmlgd.cli.build_tsb`.
"""
import io
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np


def find_tsb_cfg(model_cfg):
    """The TSB config dict inside a model config (``model.tsb`` or
    ``model.head.tsb``).

    Raises:
        KeyError: the config has no TSB.
    """
    for path in (('tsb', ), ('head', 'tsb')):
        node = model_cfg
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            return node
    raise KeyError('This config has no model.tsb or model.head.tsb.')


def names_path(npy_path: str) -> str:
    """The names file written beside ``x.npy``: ``x.txt``."""
    return osp.splitext(npy_path)[0] + '.txt'


def write_tsb_npy(out: str, weight, classes: Sequence[str],
                  force: bool = False) -> List[str]:
    """Write a TSB as ``out`` (``.npy``, float32 (K, D), rows L2-normalised)
    and its K row names to :func:`names_path` (UTF-8, one per line), each
    atomically.

    Args:
        out (str): the ``.npy`` path.
        weight (Tensor | ndarray): (K, D) text embeddings.
        classes (Sequence[str]): the K row names, in row order.
        force (bool): replace existing files.

    Returns:
        list[str]: the two paths written.

    Raises:
        ValueError: ``out`` does not end with ``.npy``; K differs from the
            number of names; a name holds a line break.
        FileExistsError: a file exists and ``force`` is False (checked for
            both before writing either).
    """
    from mmlgd.utils.fileio import atomic_write_bytes, atomic_write_text
    if not out.endswith('.npy'):
        raise ValueError(f'--out must end with .npy, got {out!r}.')
    if hasattr(weight, 'detach'):  # a tensor
        weight = weight.detach().cpu().numpy()
    arr = np.asarray(weight, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[0] != len(classes):
        raise ValueError(f'TSB of shape {arr.shape} for {len(classes)} '
                         'names.')
    if any('\n' in c or '\r' in c for c in classes):
        raise ValueError('A class name holds a line break.')
    txt = names_path(out)
    for path in (out, txt):
        if osp.lexists(path) and not force:
            raise FileExistsError(f'{path} already exists; pass --force to '
                                  'overwrite it, or choose another --out.')
    arr = arr / np.linalg.norm(arr, axis=1, keepdims=True)
    buf = io.BytesIO()
    np.save(buf, arr.astype(np.float32))
    atomic_write_bytes(out, buf.getvalue(), force=force)
    atomic_write_text(txt, ''.join(f'{c}\n' for c in classes), force=force)
    return [out, txt]


def _run_config(path: str, cfg_options: Optional[dict]):
    """The config of a ``.py`` file, or the one stored in a checkpoint."""
    from .runner_setup import load_config
    if path.endswith('.py'):
        return load_config(path, cfg_options)
    from mmlgd.deployment.builder import load_run
    cfg = load_run(path)[0]
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def build_tsb(config: str, classes=None, templates=None,
              out: Optional[str] = None, force: bool = False,
              cfg_options: Optional[dict] = None,
              progress: bool = True) -> Tuple[object, List[str]]:
    """Build (and cache) the TSB of a run, for its own or new names.

    Args:
        config (str): a config ``.py``, or an LGD checkpoint (its config is
            read from the file).
        classes (str | list[str], optional): category names instead of the
            run's (see :func:`mmlgd.apis.infer.parse_classes`).
        templates (str | list[str], optional): template set or prompts
            instead of the run's.
        out (str, optional): also write the TSB as this ``.npy`` and its
            names beside it (:func:`write_tsb_npy`).
        force (bool): replace ``out`` (and its ``.txt``) if they exist.
        cfg_options (dict, optional): config overrides.
        progress (bool): show the encoding progress bar.

    Returns:
        tuple: the :class:`~mmlgd.models.text.TextualSemanticsBank` and the
        list of files written.

    Raises:
        FileExistsError: ``out`` or its ``.txt`` exists and ``force`` is
            False (checked before any work).
        KeyError: the config has no TSB.
        RuntimeError | ValueError | OSError: from the text encoder (its
            message says what to fix).
    """
    from mmpretrain.registry import MODELS
    if out is not None and not force:
        for path in (out, names_path(out)):  # before any work
            if osp.lexists(path):
                raise FileExistsError(f'{path} already exists; pass --force '
                                      'to overwrite it.')
    cfg = _run_config(config, cfg_options)
    import mmlgd  # noqa: F401
    tsb_cfg = dict(find_tsb_cfg(cfg.model))
    tsb_cfg['use_tqdm'] = progress
    if classes is not None:
        tsb_cfg['classes'] = classes
    if templates is not None:
        tsb_cfg['templates'] = templates
    tsb = MODELS.build(tsb_cfg)
    written = (write_tsb_npy(out, tsb.weight, tsb.classes, force)
               if out else [])
    return tsb, written
