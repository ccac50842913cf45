"""The cache key: what a cache was built from, compared part by part on use.

Five parts (:data:`KEY_PARTS`), each compared so that a mismatch names what
differs:

* ``teacher``: the teacher config with every weights / config file it names
  replaced by the file's sha256 (a moved file still matches, changed weights
  do not), plus the data preprocessor config that feeds it;
* ``pipeline``: the augmentation config;
* ``dataset``: image count, a sha256 of the file list (paths relative to
  ``data_root``) and a sha256 of every image's content fingerprint
  (:func:`file_fingerprint`: size + sha256 of the first and last 64 KiB, or
  of the whole file with ``content='full'``), or of the pixels for in-memory
  datasets such as Fashion-MNIST. Never the mtime: a plain copy of a valid
  dataset still matches;
* ``num_views`` and ``seed``.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np

from ..utils.hashing import file_sha256

KEY_PARTS = ('teacher', 'pipeline', 'dataset', 'num_views', 'seed')
BLOCK = 1 << 16  # bytes hashed at each end of an image file
CONTENT_MODES = ('ends', 'full')


def plain(obj):
    """A JSON-plain copy of a config node (ConfigDict -> dict, tuple ->
    list)."""
    return json.loads(json.dumps(obj, sort_keys=True, default=str))


def _hash_files(node):
    if isinstance(node, dict):
        return {k: _hash_files(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_hash_files(v) for v in node]
    if isinstance(node, str) and osp.isfile(node):
        return {'sha256': file_sha256(node)}
    return node


def teacher_identity(teacher: dict,
                     data_preprocessor: Optional[dict]) -> dict:
    """The teacher part of the key (see the module docstring)."""
    return {'model': _hash_files(plain(teacher)),
            'data_preprocessor': plain(data_preprocessor)}


def file_fingerprint(path: str, content: str = 'ends') -> bytes:
    """A cheap content fingerprint of one file: 32 bytes of sha256 over its
    size and, for ``content='ends'``, its first and last :data:`BLOCK`
    bytes (the whole file when it is at most twice that); for
    ``content='full'`` over all its bytes.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: unknown ``content``.
    """
    if content not in CONTENT_MODES:
        raise ValueError(f'content must be one of {CONTENT_MODES}, got '
                         f'{content!r}.')
    size = os.stat(path).st_size
    h = hashlib.sha256(str(size).encode() + b'\n')
    with open(path, 'rb') as f:
        if content == 'full' or size <= 2 * BLOCK:
            for block in iter(lambda: f.read(1 << 22), b''):
                h.update(block)
        else:
            h.update(f.read(BLOCK))
            f.seek(size - BLOCK)
            h.update(f.read(BLOCK))
    return h.digest()


def dataset_identity(dataset, content: Optional[str] = 'ends') -> dict:
    """The dataset part of the key: ``num_images``, ``files_sha256`` (the
    image paths relative to ``data_root``, in dataset order, or the pixels of
    in-memory datasets) and ``content_sha256`` over every image file's
    :func:`file_fingerprint` (``content`` names the fingerprint mode;
    ``None`` reads no file and leaves out ``content``/``content_sha256``,
    for an identity of the image list alone).

    Raises:
        TypeError: a sample has neither ``img_path`` nor ``img``.
    """
    root = getattr(dataset, 'data_root', None) or ''
    names, contents = hashlib.sha256(), hashlib.sha256()
    n = len(dataset)
    for i in range(n):
        info = dataset.get_data_info(i)
        if 'img_path' in info:
            path = info['img_path']
            names.update((osp.relpath(path, root) if root else path).encode())
            if content is not None:
                contents.update(file_fingerprint(path, content))
        elif 'img' in info:
            img = np.ascontiguousarray(info['img'])
            names.update(f'{img.dtype}{img.shape}'.encode() + img.tobytes())
        else:
            raise TypeError(
                f'{type(dataset).__name__} sample {i} has neither img_path '
                'nor img: cannot identify the dataset for the teacher cache.')
        names.update(b'\n')
    ident = {'num_images': n, 'files_sha256': names.hexdigest()}
    if content is not None:
        ident.update(content=content, content_sha256=contents.hexdigest())
    return ident


def changed_images(dataset, fingerprints: np.ndarray,
                   content: str = 'ends', limit: int = 3) -> list:
    """Paths of (at most ``limit``) images whose fingerprint differs from
    the stored ``(n, 32)`` uint8 ``fingerprints``."""
    out = []
    for i in range(min(len(dataset), len(fingerprints))):
        path = dataset.get_data_info(i).get('img_path')
        if path and file_fingerprint(path, content) != bytes(
                fingerprints[i]):
            out.append(path)
            if len(out) == limit:
                break
    return out


def image_fingerprints(dataset, content: str = 'ends') -> np.ndarray:
    """``(n, 32)`` uint8 fingerprints of a file dataset's images (zeros for
    in-memory samples)."""
    out = np.zeros((len(dataset), 32), np.uint8)
    for i in range(len(dataset)):
        path = dataset.get_data_info(i).get('img_path')
        if path:
            out[i] = np.frombuffer(file_fingerprint(path, content), np.uint8)
    return out


def cache_key(teacher: dict, data_preprocessor: Optional[dict],
              pipeline: Sequence[dict], dataset, num_views: int,
              seed: int, content: str = 'ends') -> dict:
    """All five parts of a cache key (see the module docstring)."""
    return {'teacher': teacher_identity(teacher, data_preprocessor),
            'pipeline': plain(list(pipeline)),
            'dataset': dataset_identity(dataset, content),
            'num_views': int(num_views), 'seed': int(seed)}


def check_key(stored: dict, expected: dict, cache_dir: str,
              hint: str = '') -> None:
    """Refuse a cache whose key differs from ``expected`` in any part that
    ``expected`` has.

    Args:
        stored (dict): the cache's key.
        expected (dict): the parts to compare.
        cache_dir (str): named in the message.
        hint (str): appended to the message (e.g. which files changed).

    Raises:
        ValueError: names the differing parts (and N / seed values).
    """
    diff = [k for k in KEY_PARTS if k in expected
            and plain(stored.get(k)) != plain(expected[k])]
    if not diff:
        return
    details = ', '.join(
        f'{k} (cache {stored.get(k)!r}, wanted {expected[k]!r})'
        if k in ('num_views', 'seed') else k for k in diff)
    raise ValueError(
        f'Teacher cache {cache_dir} was built for another {details}{hint}: '
        'rebuild it with tools/cache_teacher.py for this config, or point '
        'to the cache built for it.')


def key_id(key: dict) -> str:
    """A short id of a key or key part (16 hex digits of its sha256)."""
    text = json.dumps(plain(key), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
