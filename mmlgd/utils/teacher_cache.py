"""Teacher-embedding cache: its key, manifest and memory-mapped shards.

A cache folder (built by ``tools/cache_teacher.py``, see
:mod:`mmlgd.apis.teacher_cache`) holds, for every training image ``i`` and
view ``j < N``, the teacher embedding ``z_T`` of view ``j`` of image ``i``:

* ``shard-000000.npy`` ...: ``(S_s, N, D)`` arrays (fp16 by default), images
  ``[s * S, s * S + S_s)`` with ``S`` the shard size; read memory-mapped.
* ``build.json``: the key, written before the first shard (a resumed build
  checks it).
* ``manifest.json``: key + layout, written last; a cache without it is
  incomplete and is refused.

The key (:func:`cache_key`) has five parts, each compared on use so that a
mismatch names what differs: ``teacher`` (model config with every weights /
config file replaced by its sha256, plus the data preprocessor that feeds
it), ``pipeline`` (the augmentation config), ``dataset`` (sha256 of the file
list), ``num_views`` and ``seed``.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from .hashing import file_sha256

MANIFEST = 'manifest.json'
BUILD = 'build.json'
FORMAT = 1
KEY_PARTS = ('teacher', 'pipeline', 'dataset', 'num_views', 'seed')


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
    """The teacher part of the key: its config with every existing file
    path (weights, model / classifier config) replaced by the file's sha256
    (so a moved file still matches, changed weights do not), plus the data
    preprocessor config (it shapes the teacher's input)."""
    return {'model': _hash_files(plain(teacher)),
            'data_preprocessor': plain(data_preprocessor)}


def dataset_identity(dataset) -> dict:
    """The dataset part of the key: image count and a sha256 over, in
    dataset order, the image paths relative to ``data_root`` (file-based
    datasets) or the pixels (in-memory ones such as ``FashionMNIST``).

    Raises:
        TypeError: a sample has neither ``img_path`` nor ``img``.
    """
    root = getattr(dataset, 'data_root', None) or ''
    h = hashlib.sha256()
    n = len(dataset)
    for i in range(n):
        info = dataset.get_data_info(i)
        if 'img_path' in info:
            path = info['img_path']
            h.update((osp.relpath(path, root) if root else path).encode())
        elif 'img' in info:
            img = np.ascontiguousarray(info['img'])
            h.update(f'{img.dtype}{img.shape}'.encode() + img.tobytes())
        else:
            raise TypeError(
                f'{type(dataset).__name__} sample {i} has neither img_path '
                'nor img: cannot identify the dataset for the teacher cache.')
        h.update(b'\n')
    return {'num_images': n, 'files_sha256': h.hexdigest()}


def cache_key(teacher: dict, data_preprocessor: Optional[dict],
              pipeline: Sequence[dict], dataset, num_views: int,
              seed: int) -> dict:
    """All five parts of a cache key (see the module docstring)."""
    return {'teacher': teacher_identity(teacher, data_preprocessor),
            'pipeline': plain(list(pipeline)),
            'dataset': dataset_identity(dataset),
            'num_views': int(num_views), 'seed': int(seed)}


def check_key(stored: dict, expected: dict, cache_dir: str) -> None:
    """Refuse a cache whose key differs from ``expected`` in any part that
    ``expected`` has.

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
        f'Teacher cache {cache_dir} was built for another {details}: '
        'rebuild it with tools/cache_teacher.py for this config, or point '
        'to the cache built for it.')


def key_id(key: dict) -> str:
    """A short id of a whole key (16 hex digits of its sha256): tags each
    training sample so the teacher can tell it reads the cache the dataset
    replays views for."""
    text = json.dumps(plain(key), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def shard_path(cache_dir: str, shard: int) -> str:
    return osp.join(cache_dir, f'shard-{shard:06d}.npy')


def shard_shapes(num_images: int, num_views: int, dim: int,
                 shard_size: int) -> List[tuple]:
    """Expected (images, N, D) shape of every shard, in order."""
    return [(min(shard_size, num_images - lo), num_views, dim)
            for lo in range(0, num_images, shard_size)]


def open_shard(path: str, shape: tuple, dtype: str) -> np.memmap:
    """Open one shard read-only, memory-mapped, checking it is complete.

    Raises:
        FileNotFoundError: the shard is missing (named).
        ValueError: truncated, corrupt, or of another shape / dtype (named).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Teacher cache shard {path} is missing: finish the build '
            '(rerun tools/cache_teacher.py with the same arguments; it '
            'resumes) or rebuild the cache.')
    try:
        arr = np.load(path, mmap_mode='r')
    except (ValueError, OSError) as err:
        raise ValueError(
            f'Teacher cache shard {path} is truncated or corrupt ({err}): '
            'delete it and rerun tools/cache_teacher.py (it resumes).'
        ) from err
    if tuple(arr.shape) != tuple(shape) or arr.dtype != np.dtype(dtype):
        raise ValueError(
            f'Teacher cache shard {path} holds {arr.dtype}{arr.shape}, '
            f'expected {dtype}{tuple(shape)}: delete it and rerun '
            'tools/cache_teacher.py (it resumes).')
    return arr


def read_json(path: str, what: str) -> dict:
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} does not exist: {what} Build it with '
            'tools/cache_teacher.py CONFIG --views N (a killed build resumes '
            'when rerun).')
    with open(path, encoding='utf-8') as f:
        return json.load(f)


class TeacherCacheStore:
    """Read access to a complete cache: ``lookup(index, view) -> z_T``.

    Args:
        cache_dir (str): the cache folder.

    Every shard is opened (memory-mapped) and checked at construction, so a
    missing or truncated shard fails here, by name, never mid-training.

    Raises:
        FileNotFoundError: no ``manifest.json`` (an unfinished build) or a
            missing shard.
        ValueError: a truncated shard or an unknown format.
    """

    def __init__(self, cache_dir: str):
        self.cache_dir = cache_dir
        self.manifest = read_json(
            osp.join(cache_dir, MANIFEST),
            'not a complete teacher cache (unfinished build?).')
        m = self.manifest
        if m.get('format') != FORMAT:
            raise ValueError(f'{cache_dir}: teacher cache format '
                             f'{m.get("format")!r}, this code reads {FORMAT}.')
        self.num_images = m['num_images']
        self.num_views = m['key']['num_views']
        self.dim, self.shard_size = m['dim'], m['shard_size']
        self.shards = [
            open_shard(shard_path(cache_dir, s), shape, m['dtype'])
            for s, shape in enumerate(shard_shapes(
                self.num_images, self.num_views, self.dim, self.shard_size))]

    @property
    def key(self) -> Dict:
        return self.manifest['key']

    def lookup(self, index: Sequence[int], view: Sequence[int]) -> np.ndarray:
        """Embeddings of (image, view) pairs: (B,) x (B,) -> (B, D), the
        stored dtype.

        Raises:
            IndexError: an image or view outside the cache.
        """
        index, view = np.asarray(index), np.asarray(view)
        if index.size and (index.min() < 0 or index.max() >= self.num_images
                           or view.min() < 0
                           or view.max() >= self.num_views):
            raise IndexError(
                f'(image, view) outside the cache ({self.num_images} images '
                f'x {self.num_views} views): {list(zip(index, view))}')
        s, r = np.divmod(index, self.shard_size)
        return np.stack([self.shards[a][b, v] for a, b, v in zip(s, r, view)])


def cache_bytes(num_images: int, num_views: int, dim: int,
                dtype: str = 'float16') -> int:
    """Disk size of the embeddings (headers excluded): ``n * N * D *
    itemsize`` bytes."""
    return num_images * num_views * dim * np.dtype(dtype).itemsize


def remove_cache_files(cache_dir: str) -> None:
    """Delete a cache's own files (shards, build.json, manifest.json)."""
    for name in os.listdir(cache_dir):
        if name in (MANIFEST, BUILD) or (name.startswith('shard-')
                                         and name.endswith('.npy')):
            os.remove(osp.join(cache_dir, name))
