"""Export the student backbone of an LGD pre-training checkpoint
(:func:`extract_student`; its command line ``tools/extract_student.py`` is
:mod:`mmlgd.cli.extract_student`).

    python tools/extract_student.py LGD_CKPT OUT.pth [--format mmpretrain]
        [--force]

Formats (``--format``):

* ``mmpretrain`` (default): the student's ``backbone.*`` tensors with the
  ``backbone.`` prefix kept, i.e. mmpretrain / mmdet / mmseg key naming. The
  downstream configs load it exactly like the full LGD checkpoint,
  ``init_cfg=dict(type='Pretrained', checkpoint=OUT, prefix='backbone.')``,
  and an mmpretrain classifier can ``load_from`` it. Projector and banks
  (``neck.*``), optimizer and message hub are dropped.
* ``torchvision`` (ResNet students only): torchvision ResNet key names
  (``conv1``, ``bn1``, ``layerX.Y.convZ/bnZ``, ``layerX.Y.downsample.0/1``),
  no prefix. mmpretrain's plain ResNet already uses these names, so the keys
  are validated and the prefix stripped; deep-stem / avg-down variants have
  no torchvision counterpart and are refused. The file has no ``fc.*``: load
  it with ``strict=True`` after ``model.fc = torch.nn.Identity()``, or with
  ``init_cfg=dict(type='Pretrained', checkpoint=OUT)`` (no prefix).

The output is ``{'meta': {...}, 'state_dict': {...}}``, loadable with
``torch.load(..., weights_only=True)``, written atomically; an existing file
is only replaced with ``--force``. The number of tensors and the output's
sha256 are printed.
"""
import datetime
import hashlib
import io
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, Optional

import torch

from mmlgd.checkpoint_compat import safe_torch_load
from mmlgd.utils.fileio import atomic_write_bytes
from mmlgd.utils.hashing import file_sha256
from mmlgd.utils.pretrained_check import strip_prefix
from mmlgd.version import __version__

FORMATS = ('mmpretrain', 'torchvision')
PREFIX = 'backbone.'
_BN = r'(weight|bias|running_mean|running_var|num_batches_tracked)'
_TORCHVISION_RESNET_KEY = re.compile(
    r'^(conv1\.weight|bn1\.' + _BN + r'|layer\d+\.\d+\.(conv\d\.weight|bn\d\.'
    + _BN + r'|downsample\.0\.weight|downsample\.1\.' + _BN + r'))$')


def student_state_dict(ckpt: dict, src: str) -> Dict[str, torch.Tensor]:
    """The ``backbone.*`` tensors (prefix kept) of an LGD checkpoint.

    Raises:
        ValueError: the file has no ``backbone.`` keys (not an LGD / mmengine
            classifier-style checkpoint).
    """
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f'{src} holds no state dict; expected an LGD '
                         "pre-training checkpoint ({'state_dict': ...}).")
    out = OrderedDict((k, v) for k, v in state.items()
                      if k.startswith(PREFIX) and torch.is_tensor(v))
    if not out:
        heads = sorted({k.split('.', 1)[0] for k in state})[:8]
        raise ValueError(
            f"{src} has no '{PREFIX}*' keys (top-level names: {heads}); "
            'expected an LGD pre-training checkpoint whose student is stored '
            f"under '{PREFIX}'.")
    return out


def to_torchvision(state: Dict[str, torch.Tensor],
                   src: str) -> Dict[str, torch.Tensor]:
    """Map mmpretrain ResNet keys (``backbone.`` prefixed) to torchvision's.

    Raises:
        ValueError: a key has no torchvision ResNet counterpart (e.g. a
            MobileNetV2 student, or ResNetV1c/V1d deep stem / avg-down).
    """
    out = strip_prefix(state, PREFIX)
    bad = [k for k in out if not _TORCHVISION_RESNET_KEY.match(k)]
    if bad:
        raise ValueError(
            f'--format torchvision supports plain ResNet students only; '
            f'{len(bad)} key(s) of {src} have no torchvision ResNet name, '
            f'e.g. {bad[:5]}. Use --format mmpretrain for this student.')
    return out


def extract_student(src: str, dst: str, fmt: str = 'mmpretrain',
                    force: bool = False) -> dict:
    """Write the student of LGD checkpoint ``src`` to ``dst``.

    Args:
        src: LGD pre-training checkpoint (``state_dict`` with ``backbone.*``),
            loaded with :func:`mmlgd.checkpoint_compat.safe_torch_load`.
        dst: output file; written atomically.
        fmt: ``'mmpretrain'`` (``backbone.*`` keys) or ``'torchvision'``.
        force: replace an existing ``dst``.

    Returns:
        dict: ``path``, ``format``, ``num_tensors``, ``sha256`` (of the output
        file) and ``meta`` (what was stored under ``meta``).

    Raises:
        ValueError: unknown ``fmt``; ``src`` is not an LGD checkpoint; the
            student has no torchvision counterpart (``fmt='torchvision'``).
        FileExistsError: ``dst`` exists and ``force`` is False.
        FileNotFoundError: ``src`` does not exist.
    """
    if fmt not in FORMATS:
        raise ValueError(f'Unknown format {fmt!r}; choose one of {FORMATS}.')
    if osp.lexists(dst) and not force:
        raise FileExistsError(f'{dst} already exists; pass --force '
                              '(force=True) to overwrite it.')
    if not osp.isfile(src):
        raise FileNotFoundError(f'LGD checkpoint {src!r} does not exist.')
    ckpt = safe_torch_load(src, map_location='cpu')
    state = student_state_dict(ckpt, src)
    if fmt == 'torchvision':
        state = to_torchvision(state, src)
    state = OrderedDict((k, v.detach().clone().contiguous())
                        for k, v in state.items())
    meta = dict(
        source=osp.abspath(src),
        source_sha256=file_sha256(src),
        format=fmt,
        prefix=PREFIX if fmt == 'mmpretrain' else '',
        mmlgd_version=__version__,
        created=datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec='seconds'),
        source_meta=_plain_meta(ckpt.get('meta') if isinstance(
            ckpt, dict) else None))
    buf = io.BytesIO()
    torch.save({'meta': meta, 'state_dict': state}, buf)
    data = buf.getvalue()
    atomic_write_bytes(dst, data, force=force)
    return dict(path=dst, format=fmt, num_tensors=len(state),
                sha256=hashlib.sha256(data).hexdigest(), meta=meta)


def _plain_meta(meta: Optional[dict]) -> dict:
    """The scalar fields of the source's meta (epoch, iter, seed, ...)."""
    if not isinstance(meta, dict):
        return {}
    return {k: v for k, v in meta.items()
            if isinstance(v, (str, int, float, bool))}
