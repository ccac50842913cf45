"""Make a *trusted* third-party mmengine checkpoint loadable safely.

Checkpoints written by plain mmengine pickle their message hub's
``HistoryBuffer`` objects through ``builtins.getattr``, which mmlgd refuses to
unpickle (see :mod:`mmlgd.checkpoint_compat`). This tool loads such a file
ONCE with ``weights_only=False`` -- which runs any code the file contains, so
only use it on files you trust -- rewrites the message hub into plain tensors
and writes a copy that loads with ``weights_only=True``::

    python tools/misc/convert_checkpoint.py IN.pth OUT.pth --trust [--force]

The output is written atomically and verified (``torch.load(OUT,
weights_only=True)`` after ``import mmlgd``). Runs started with mmlgd resume
from it as usual (the message hub is rebuilt by ``PlainMessageHubHook``).
"""
import argparse
import io
import os.path as osp
import pickle
import sys

import torch

import mmlgd  # noqa: F401  allow-list for weights_only loading
from mmlgd.checkpoint_compat import message_hub_to_plain, safe_torch_load
from mmlgd.utils.fileio import atomic_write_bytes


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Convert a trusted mmengine checkpoint so that it loads '
        'with torch.load(weights_only=True).')
    parser.add_argument('src', help='input checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint (.pth)')
    parser.add_argument(
        '--trust', action='store_true',
        help='confirm that SRC is trusted: it is unpickled with '
        'weights_only=False, which can execute code stored in the file')
    parser.add_argument('--force', action='store_true',
                        help='overwrite DST if it exists')
    return parser.parse_args(argv)


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


def main(argv=None) -> int:
    """Convert ``src`` into ``dst``; returns 0.

    Raises:
        SystemExit: no ``--trust``; ``src`` missing; ``dst`` exists without
            ``--force``.
        pickle.UnpicklingError: the result would still need non-allow-listed
            globals (nothing is written then).
    """
    args = parse_args(argv)
    if not args.trust:
        sys.exit('convert_checkpoint: refusing to unpickle '
                 f'{args.src!r} with weights_only=False: that executes any '
                 'code stored in the file. Pass --trust if you trust it.')
    if not osp.isfile(args.src):
        sys.exit(f'convert_checkpoint: {args.src!r} does not exist.')
    if osp.lexists(args.dst) and not args.force:
        sys.exit(f'convert_checkpoint: {args.dst!r} exists; pass --force to '
                 'overwrite it.')
    checkpoint = torch.load(args.src, map_location='cpu', weights_only=False)
    data = serialize_verified(convert(checkpoint))
    try:
        atomic_write_bytes(args.dst, data, force=args.force)
    except FileExistsError as err:  # appeared while we were converting
        sys.exit(f'convert_checkpoint: {err}')
    safe_torch_load(args.dst)  # what mmlgd will do when it loads the file
    print(f'wrote {args.dst} (loads with weights_only=True)')
    return 0

