"""A cache folder on disk: manifest, memory-mapped shards, stored view
parameters.

A cache folder (built by :func:`mmlgd.teacher_cache.build_teacher_cache`)
holds, for every training image ``i`` and view ``j < N``:

* ``shard-000000.npy`` ...: ``(S_s, N, D)`` arrays (fp16 by default) of the
  teacher embeddings ``z_T``, images ``[s * S, s * S + S_s)`` with ``S`` the
  shard size; read memory-mapped;
* ``params-000000.npy`` ...: the augmentation parameters every view drew
  (:mod:`mmlgd.teacher_cache.replay`), one JSON line per (image, view)
  behind an offset table, read memory-mapped (one view's line per sample,
  nothing held in memory); written before their shard;
* ``images.npy``: ``(n, 32)`` uint8 content fingerprints of the image files
  (names the changed files when the dataset key differs);
* ``build.json``: the key, written before the first shard (a resumed build
  checks it);
* ``manifest.json``: format, key, layout and the cache card
  (:mod:`mmlgd.teacher_cache.card`), written last; a cache without it is
  incomplete and is refused.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

MANIFEST = 'manifest.json'
BUILD = 'build.json'
FINGERPRINTS = 'images.npy'
FORMAT = 2  # 1: seeds only, no parameters, no content fingerprints


def shard_path(cache_dir: str, shard: int) -> str:
    return osp.join(cache_dir, f'shard-{shard:06d}.npy')


def params_path(cache_dir: str, shard: int) -> str:
    return osp.join(cache_dir, f'params-{shard:06d}.npy')


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


def open_params(path: str, count: int) -> tuple:
    """Open a shard's parameter file: ``(offsets, payload)`` memory-mapped
    views; entry ``k`` (image-major, then view) is the JSON text
    ``payload[offsets[k]:offsets[k + 1]]``.

    Raises:
        FileNotFoundError / ValueError: missing or truncated (named).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Teacher cache parameters {path} are missing: rerun '
            'tools/cache_teacher.py with the same arguments (it resumes).')
    try:
        arr = np.load(path, mmap_mode='r')
        head = 8 * (count + 1)
        offsets = arr[:head].view('<i8')
        ok = (arr.dtype == np.uint8 and arr.ndim == 1
              and len(offsets) == count + 1 and offsets[0] == 0
              and offsets[-1] == arr.size - head)
    except (OSError, ValueError) as err:
        ok, err_text = False, f' ({err})'
    else:
        err_text = ''
    if not ok:
        raise ValueError(f'Teacher cache parameters {path} are truncated or '
                         f'corrupt{err_text}: delete them and their shard '
                         'and rerun tools/cache_teacher.py (it resumes).')
    return offsets, arr[head:]


def write_params(path: str, params: list) -> None:
    """Write a shard's view parameters (a flat list of call logs,
    image-major) atomically in the :func:`open_params` layout."""
    from ..utils.fileio import atomic_open
    lines = [json.dumps(p, separators=(',', ':')).encode() for p in params]
    offsets = np.zeros(len(lines) + 1, '<i8')
    offsets[1:] = np.cumsum([len(x) for x in lines])
    data = np.frombuffer(offsets.tobytes() + b''.join(lines), np.uint8)
    with atomic_open(path) as f:
        np.save(f, data)


def read_json(path: str, what: str) -> dict:
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} does not exist: {what} Build it with '
            'tools/cache_teacher.py CONFIG --views N --out DIR (a killed '
            'build resumes when rerun).')
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def check_format(meta: dict, cache_dir: str) -> None:
    """Refuse a manifest / build record of another format, never misread it.

    Raises:
        ValueError: with the rebuild command.
    """
    got = meta.get('format')
    if got != FORMAT:
        raise ValueError(
            f'Teacher cache {cache_dir} has format {got!r}; this mmlgd reads '
            f'format {FORMAT} (stored augmentation parameters and image '
            'fingerprints). Rebuild it: tools/cache_teacher.py CONFIG '
            f'--views N --out {cache_dir} --force.')


def read_manifest(cache_dir: str) -> dict:
    """The manifest of a complete cache of this format.

    Raises:
        FileNotFoundError: no ``manifest.json`` (an unfinished build).
        ValueError: another format.
    """
    m = read_json(osp.join(cache_dir, MANIFEST),
                  'not a complete teacher cache (unfinished build?).')
    check_format(m, cache_dir)
    return m


class TeacherCacheStore:
    """Read access to a complete cache: ``lookup(index, view) -> z_T`` and
    ``params(index, view) -> call log``.

    Args:
        cache_dir (str): the cache folder.

    Every shard is opened (memory-mapped) and checked at construction, so a
    missing or truncated shard fails here, by name, never mid-training.
    Parameter files are opened (memory-mapped) on first use.

    Raises:
        FileNotFoundError: no ``manifest.json`` (an unfinished build) or a
            missing shard.
        ValueError: a truncated shard or another format.
    """

    def __init__(self, cache_dir: str):
        self.cache_dir = cache_dir
        self.manifest = m = read_manifest(cache_dir)
        self.num_images = m['num_images']
        self.num_views = m['key']['num_views']
        self.dim, self.shard_size = m['dim'], m['shard_size']
        self.shards = [
            open_shard(shard_path(cache_dir, s), shape, m['dtype'])
            for s, shape in enumerate(shard_shapes(
                self.num_images, self.num_views, self.dim, self.shard_size))]
        self._params: Dict[int, tuple] = {}

    @property
    def key(self) -> Dict:
        return self.manifest['key']

    def _check(self, index, view) -> None:
        index, view = np.asarray(index), np.asarray(view)
        if index.size and (index.min() < 0 or index.max() >= self.num_images
                           or view.min() < 0
                           or view.max() >= self.num_views):
            raise IndexError(
                f'(image, view) outside the cache ({self.num_images} images '
                f'x {self.num_views} views): {list(zip(index, view))}')

    def lookup(self, index: Sequence[int], view: Sequence[int]) -> np.ndarray:
        """Embeddings of (image, view) pairs: (B,) x (B,) -> (B, D), the
        stored dtype.

        Raises:
            IndexError: an image or view outside the cache.
        """
        self._check(index, view)
        s, r = np.divmod(np.asarray(index), self.shard_size)
        return np.stack([self.shards[a][b, v] for a, b, v in zip(s, r, view)])

    def params(self, index: int, view: int) -> list:
        """The stored augmentation call log of one view (see
        :func:`mmlgd.teacher_cache.replay.replay_view`)."""
        self._check([index], [view])
        s, r = divmod(int(index), self.shard_size)
        if s not in self._params:
            self._params[s] = open_params(params_path(self.cache_dir, s),
                                          len(self.shards[s]) * self.num_views)
        offsets, payload = self._params[s]
        k = r * self.num_views + int(view)
        return json.loads(payload[offsets[k]:offsets[k + 1]].tobytes())

    def fingerprints(self) -> np.ndarray:
        """``(n, 32)`` uint8 image fingerprints stored at build time."""
        return np.load(osp.join(self.cache_dir, FINGERPRINTS))


def cache_bytes(num_images: int, num_views: int, dim: int,
                dtype: str = 'float16') -> int:
    """Disk size of the embeddings (headers excluded): ``n * N * D *
    itemsize`` bytes."""
    return num_images * num_views * dim * np.dtype(dtype).itemsize


def remove_cache_files(cache_dir: str) -> None:
    """Delete a cache's own files (shards, parameters, fingerprints,
    build.json, manifest.json)."""
    for name in os.listdir(cache_dir):
        if name in (MANIFEST, BUILD, FINGERPRINTS) or (
                name.startswith(('shard-', 'params-'))
                and name.endswith('.npy')):
            os.remove(osp.join(cache_dir, name))
