"""Make a *trusted* third-party mmengine checkpoint loadable safely.

Checkpoints written by plain mmengine pickle their message hub's
``HistoryBuffer`` objects through ``builtins.getattr``, which mmlgd refuses to
unpickle (see :mod:`mmlgd.checkpoint_compat`). This tool loads such a file
ONCE with ``weights_only=False`` -- which runs any code the file contains, so
only use it on files you trust -- rewrites the message hub into plain tensors
and writes a copy that loads with ``weights_only=True``
(:func:`convert_checkpoint`; the command line is
:mod:`mmlgd.cli.convert_checkpoint`)::

    python tools/misc/convert_checkpoint.py IN.pth OUT.pth --trust [--force]

The output is written atomically and verified (``torch.load(OUT,
weights_only=True)`` after ``import mmlgd``). Runs started with mmlgd resume
from it as usual (the message hub is rebuilt by ``PlainMessageHubHook``).
"""
import io
import os.path as osp
import pickle

import torch

import mmlgd  # noqa: F401  allow-list for weights_only loading
from mmlgd.checkpoint_compat import message_hub_to_plain, safe_torch_load
from mmlgd.utils.fileio import atomic_write_bytes


def convert(checkpoint):
    """Return ``checkpoint`` with its message hub in plain tensors.

    Args:
        checkpoint: the unpickled file; a dict with an optional
            ``'message_hub'`` entry (``MessageHub.state_dict()``).

    Returns:
        The same object; ``checkpoint['message_hub']`` replaced by
        :func:`mmlgd.checkpoint_compat.message_hub_to_plain`'s output.
    """
    if isinstance(checkpoint, dict) and 'message_hub' in checkpoint:
        checkpoint['message_hub'] = message_hub_to_plain(
            checkpoint['message_hub'])
    return checkpoint


def serialize_verified(checkpoint) -> bytes:
    """``torch.save`` to bytes and check that they load with weights_only.

    Raises:
        pickle.UnpicklingError: the converted checkpoint still needs globals
            outside mmlgd's allow-list (they are named in the message).
    """
    buf = io.BytesIO()
    torch.save(checkpoint, buf)
    data = buf.getvalue()
    try:
        torch.load(io.BytesIO(data), map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as err:
        try:
            unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(
                io.BytesIO(data))
        except Exception:  # noqa: BLE001 - best effort for the message
            unsafe = ['<could not be listed>']
        raise pickle.UnpicklingError(
            'The converted checkpoint still needs globals outside the '
            f'allow-list: {unsafe}. Only the message hub is converted; '
            'remove or convert the other objects (e.g. to tensors or plain '
            'Python types) before saving.') from err
    return data


def convert_checkpoint(src: str, dst: str, force: bool = False) -> str:
    """Convert ``src`` into ``dst`` (see the module doc); returns ``dst``.

    ``src`` is unpickled with ``weights_only=False``, which runs any code the
    file holds: call this on trusted files only (the tool asks for
    ``--trust``).

    Args:
        src (str): the plain-mmengine checkpoint.
        dst (str): the output; written atomically, then loaded back with
            :func:`mmlgd.checkpoint_compat.safe_torch_load`.
        force (bool): replace an existing ``dst``.

    Returns:
        str: ``dst``.

    Raises:
        FileNotFoundError: ``src`` does not exist.
        FileExistsError: ``dst`` exists and ``force`` is False (checked
            before and after the conversion).
        pickle.UnpicklingError: the result would still need non-allow-listed
            globals (nothing is written then).
    """
    if not osp.isfile(src):
        raise FileNotFoundError(f'{src!r} does not exist.')
    if osp.lexists(dst) and not force:
        raise FileExistsError(f'{dst!r} exists; pass --force (force=True) '
                              'to overwrite it.')
    checkpoint = torch.load(src, map_location='cpu', weights_only=False)
    data = serialize_verified(convert(checkpoint))
    atomic_write_bytes(dst, data, force=force)
    safe_torch_load(dst)  # what mmlgd will do when it loads the file
    return dst
