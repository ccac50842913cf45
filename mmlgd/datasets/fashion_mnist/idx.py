"""Fashion-MNIST idx files: find them, check them, read and write them.

Reading goes through mmpretrain's MNIST reader
(``read_sn3_pascalvincent_tensor`` on the decompressed bytes) after a header
check of our own, so a bad file fails with a message naming it rather than
a bare ``assert``.

Checksums are the md5 of the DECOMPRESSED content against the official
release (:data:`RAW_MD5`). mmpretrain's ``check_md5`` /
``FashionMNIST.train_list`` are not used: they hash the ``.gz`` bytes of the
official download, and Debian's ``dataset-fashion-mnist`` re-compresses the
same content, so its ``.gz`` bytes (and md5) differ.
"""
import gzip
import hashlib
import io
import os.path as osp
import struct
import zlib
from typing import Dict, Iterator, Optional, Sequence

import numpy as np

from mmlgd.utils.fileio import atomic_open

DEBIAN_DIR = '/usr/share/datasets/fashion-mnist'
NAMES = {'train_images': 'train-images-idx3-ubyte',  # as mmpretrain expects
         'train_labels': 'train-labels-idx1-ubyte',
         'test_images': 't10k-images-idx3-ubyte',
         'test_labels': 't10k-labels-idx1-ubyte'}
RAW_MD5 = {  # md5 of the decompressed files of the official release
    'train-images-idx3-ubyte': 'f4a8712d7a061bf5bd6d2ca38dc4d50a',
    'train-labels-idx1-ubyte': '9018921c3c673c538a1fc5bad174d6f9',
    't10k-images-idx3-ubyte': '8181f5470baa50b63fa0f6fddb340f0a',
    't10k-labels-idx1-ubyte': '15d484375f8d13e6eb1aabb0c3f46965'}
IMAGES_MAGIC, LABELS_MAGIC = 0x803, 0x801


class ChecksumError(ValueError):
    """A source file is corrupt or not the expected release."""


def progress(items: Sequence, desc: str, unit: str) -> Iterator:
    """Iterate ``items`` under mmengine's progress bar (the one kind the
    project uses), after a ``<desc>: <N> <unit>s`` line.

    Args:
        items (Sequence): a sized sequence (list, range).
        desc (str): what is being done.
        unit (str): what one item is.
    """
    from mmengine.utils import track_iter_progress
    items = list(items)
    print(f'{desc}: {len(items)} {unit}s', flush=True)
    return track_iter_progress(items)


def find_sources(src: str) -> Dict[str, str]:
    """Paths of the four idx files in ``src`` by role (``NAMES`` keys);
    ``<name>.gz`` is preferred over an un-gzipped ``<name>``.

    Args:
        src (str): the folder.

    Returns:
        Dict[str, str]: role -> path.

    Raises:
        FileNotFoundError: naming the first missing file and how to get it.
    """
    paths = {}
    for role, name in NAMES.items():
        found = [p for p in (osp.join(src, name + '.gz'), osp.join(src, name))
                 if osp.isfile(p)]
        if not found:
            raise FileNotFoundError(
                f'Fashion-MNIST file {name}.gz (or un-gzipped {name}) not '
                f'found in {src}. Install it with `apt-get install '
                f'dataset-fashion-mnist` (files land in {DEBIAN_DIR}) or pass '
                '--src DIR holding the four idx files.')
        paths[role] = found[0]
    return paths


def _check_header(path: str, data: bytes) -> None:
    """Raise ``ValueError`` naming ``path`` unless ``data`` is a uint8 idx
    file of labels (N,) or 28x28 images (N, 28, 28) of consistent length."""
    magic, count = struct.unpack('>II', data[:8]) if len(data) >= 8 else (0, 0)
    shape, offset = (count, ), 8
    if magic == IMAGES_MAGIC and len(data) >= 16:
        shape, offset = (count, ) + struct.unpack('>II', data[8:16]), 16
        if shape[1:] != (28, 28):
            raise ValueError(f'{path}: images are {shape[1:]}, expected 28x28')
    elif magic != LABELS_MAGIC:
        raise ValueError(f'{path}: not an idx file (magic 0x{magic:x}, '
                         'expected 0x801 labels or 0x803 images); corrupt?')
    if len(data) - offset != int(np.prod(shape)):
        raise ValueError(f'{path}: header says {shape} but holds '
                         f'{len(data) - offset} data bytes; truncated?')


def read_idx(path: str, expected_md5: Optional[str] = None,
             return_md5: bool = False):
    """Read an idx file (``.gz`` or raw), optionally checking its content md5.

    Args:
        path (str): the file.
        expected_md5 (str, optional): md5 of the decompressed content.
        return_md5 (bool): also return the content md5.

    Returns:
        uint8 labels (N,) or images (N, 28, 28); with ``return_md5`` a tuple
        (array, md5 hex of the decompressed content).

    Raises:
        ChecksumError: corrupt gzip data or md5 mismatch.
        ValueError: bad magic, image size, or a header count not matching the
            data length. Every message names ``path``.
    """
    from mmpretrain.datasets.mnist import read_sn3_pascalvincent_tensor
    with open(path, 'rb') as f:
        data = f.read()
    if path.endswith('.gz'):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:  # incl. BadGzipFile
            raise ChecksumError(f'{path}: corrupt gzip file ({e}); re-install '
                                'dataset-fashion-mnist or fetch it again.')
    got = hashlib.md5(data).hexdigest()
    if expected_md5 is not None and got != expected_md5:
        raise ChecksumError(
            f'{path}: checksum mismatch (md5 of the decompressed content '
            f'{got}, expected {expected_md5}); corrupt, or not the official '
            'release? Re-install dataset-fashion-mnist or fetch it again.')
    _check_header(path, data)
    arr = read_sn3_pascalvincent_tensor(io.BytesIO(data)).numpy()
    return (arr, got) if return_md5 else arr


def write_idx(path: str, arr: np.ndarray) -> None:
    """Write uint8 (N,) labels or (N, H, W) images as raw idx, atomically.

    Args:
        path (str): the output file.
        arr (np.ndarray): the data (cast to uint8).
    """
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    magic = LABELS_MAGIC if arr.ndim == 1 else IMAGES_MAGIC
    with atomic_open(path, 'wb') as f:
        f.write(struct.pack(f'>{arr.ndim + 1}I', magic, *arr.shape))
        f.write(arr.tobytes())
