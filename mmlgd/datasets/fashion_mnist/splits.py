"""Lay Fashion-MNIST out as disjoint, seeded splits for the mmlgd pipeline.

    python tools/dataset_converters/prepare_fashion_mnist.py [--src DIR]
        [--out data/fashion_mnist] [--seed 0] [--n-teacher 10000]
        [--n-pretrain 20000] [--probe-sizes 1000 5000] [--force]

Splits of the official 60k training images, disjoint: ``teacher`` (labelled;
trains a text-aligned teacher), ``pretrain`` (the unlabelled LGD set; its
label file is all zeros, so LGD cannot read real labels) and ``probe_<k>``
(linear-probe subsets of the rest, NESTED and class-balanced: a prefix of
``10 * m`` images holds ``m`` per class). ``test`` = the official 10k test
set. The remaining training images are unused.

Each split is a folder in mmpretrain's ``FashionMNIST`` layout holding raw
idx files under BOTH the ``train-*`` and ``t10k-*`` names (hard links, or
copies): mmpretrain's MNIST needs all four names and picks the pair by
``test_mode``, not ``split``, so ``dict(type='FashionMNIST',
data_root='data/fashion_mnist/<split>')`` loads that split whatever
``split``/``test_mode`` say. ``splits.json`` (seed, sizes, source md5s, index
lists) is written last; a rerun with equal settings skips, others need
``--force``.

Source checks (:mod:`.idx`): valid idx header (magic 0x801 labels / 0x803
28x28 images, count matching the data length), gzip's CRC for .gz, and the
md5 of the DECOMPRESSED content against the official release.
"""
import hashlib
import json
import os
import os.path as osp
import shutil
import time
from typing import Dict, Optional, Sequence

import numpy as np

from mmlgd.utils.fileio import atomic_open, atomic_write_text, check_output_dir

from .idx import (
    DEBIAN_DIR,
    NAMES,
    RAW_MD5,
    ChecksumError,
    find_sources,
    progress,
    read_idx,
    write_idx,
)

__all__ = ['ChecksumError', 'DEBIAN_DIR', 'MARKER', 'NAMES', 'RAW_MD5',
           'make_splits', 'prepare', 'read_idx', 'split_names']

MARKER = 'splits.json'
FORMAT_VERSION = 1


def _write_split(folder: str, main: str, imgs, labs) -> None:
    """Write ``<main>-*`` idx files, then hard-link (or copy) them under the
    other prefix (``train`` <-> ``t10k``)."""
    other = 'train' if main == 't10k' else 't10k'
    for kind, arr in (('images-idx3', imgs), ('labels-idx1', labs)):
        src = osp.join(folder, f'{main}-{kind}-ubyte')
        dst, tmp = osp.join(folder, f'{other}-{kind}-ubyte'), None
        write_idx(src, arr)
        try:
            tmp = f'{dst}.{os.getpid()}.link.tmp'
            os.link(src, tmp)
            os.replace(tmp, dst)
        except OSError:  # no hard links on this filesystem: copy
            if osp.lexists(tmp):
                os.unlink(tmp)
            with open(src, 'rb') as fin, atomic_open(dst, 'wb') as fout:
                shutil.copyfileobj(fin, fout)


def split_names(probe_sizes: Sequence[int]) -> Dict[int, str]:
    """Probe size -> folder name: 1000 -> 'probe_1k', 30 -> 'probe_30'."""
    return {k: f'probe_{k // 1000}k' if k % 1000 == 0 else f'probe_{k}'
            for k in probe_sizes}


def make_splits(labels: np.ndarray, seed: int, n_teacher: int, n_pretrain: int,
                probe_sizes: Sequence[int]) -> Dict[str, np.ndarray]:
    """Disjoint, sorted index arrays into the training set (see module doc).

    Raises:
        ValueError: negative sizes, or sizes not fitting in ``len(labels)``.
    """
    n_probe = max(probe_sizes, default=0)
    need = n_teacher + n_pretrain + n_probe
    if min([n_teacher, n_pretrain, *probe_sizes]) < 0 or need > len(labels):
        raise ValueError(f'teacher {n_teacher} + pretrain {n_pretrain} + '
                         f'largest probe {n_probe} = {need} images, but the '
                         f'training set has {len(labels)}')
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(labels))
    out = {'teacher': np.sort(perm[:n_teacher]),
           'pretrain': np.sort(perm[n_teacher:n_teacher + n_pretrain])}
    pool = perm[n_teacher + n_pretrain:]
    rank = np.zeros(len(pool), np.int64)  # position within its own class
    for c in np.unique(labels[pool]):
        sel = np.flatnonzero(labels[pool] == c)
        rank[sel] = np.arange(len(sel))
    order = pool[np.lexsort((rng.random(len(pool)), rank))]
    for k, name in split_names(probe_sizes).items():
        out[name] = np.sort(order[:k])
    return out


def _unmark(out: str, keep: Sequence[str]) -> None:
    """Before a rebuild: drop the marker, then the files of stale splits."""
    mpath = osp.join(out, MARKER)
    if not osp.isfile(mpath):
        return
    with open(mpath, encoding='utf-8') as f:
        old = list(json.load(f).get('splits', {}))
    os.unlink(mpath)
    for s in set(old) - set(keep):
        for n in RAW_MD5:
            if osp.isfile(osp.join(out, s, n)):
                os.unlink(osp.join(out, s, n))
        if osp.isdir(osp.join(out, s)) and not os.listdir(osp.join(out, s)):
            os.rmdir(osp.join(out, s))


def _write_marker(path: str, doc: dict) -> None:
    """splits.json, indented, with each index list on a single line."""
    lists = {}
    for name, rec in doc['splits'].items():
        if isinstance(rec.get('indices'), np.ndarray):
            lists[name] = json.dumps(rec['indices'].tolist(),
                                     separators=(',', ':'))
            rec['indices'] = f'@@{name}@@'
    text = json.dumps(doc, indent=2) + '\n'
    for name, compact in lists.items():
        text = text.replace(f'"@@{name}@@"', compact)
    atomic_write_text(path, text)


def prepare(src: str = DEBIAN_DIR, out: str = 'data/fashion_mnist',
            seed: int = 0, n_teacher: int = 10000, n_pretrain: int = 20000,
            probe_sizes: Sequence[int] = (1000, 5000), force: bool = False,
            checksums: Optional[Dict[str, str]] = None) -> dict:
    """Build (or verify and skip) the split folders under ``out``.

    Args:
        src: folder with the four Fashion-MNIST idx files (gz or raw).
        out: output root; one folder per split plus ``splits.json``.
        seed: seed of the split permutation.
        n_teacher, n_pretrain, probe_sizes: split sizes, in images.
        force: overwrite an existing, different layout.
        checksums: md5 of the decompressed content per file name; None
            means the official release (``RAW_MD5``). Tests pass their own.

    Returns:
        dict with ``out``, ``seed``, ``skipped`` (bool), ``seconds``,
        ``splits`` (name -> size, path, labels 'real' or 'zeroed'), ``notes``.

    Raises:
        FileNotFoundError, ChecksumError, ValueError, FileExistsError: see
        :func:`find_sources`, :func:`read_idx`, :func:`make_splits`,
        :func:`mmlgd.utils.fileio.check_output_dir`.
    """
    t0 = time.time()
    checksums = RAW_MD5 if checksums is None else checksums
    paths = find_sources(src)
    arr, source_md5 = {}, {}
    for r, p in paths.items():
        arr[r], source_md5[NAMES[r]] = read_idx(p, checksums.get(NAMES[r]),
                                                return_md5=True)
    for part in ('train', 'test'):
        if len(arr[part + '_images']) != len(arr[part + '_labels']):
            raise ValueError(f'{paths[part + "_labels"]} and '
                             f'{paths[part + "_images"]}: counts differ')
    probe_sizes = sorted(int(k) for k in probe_sizes)
    config = dict(format_version=FORMAT_VERSION, seed=int(seed),
                  n_teacher=int(n_teacher), n_pretrain=int(n_pretrain),
                  probe_sizes=probe_sizes, source_md5=source_md5)
    idx = make_splits(arr['train_labels'], seed, n_teacher, n_pretrain,
                      probe_sizes)
    idx['test'] = np.arange(len(arr['test_labels']))
    notes = ['pretrain labels are all zero: LGD pre-training cannot read '
             'real labels',
             'all splits are disjoint; probe splits are nested (the smaller is'
             ' a prefix of the larger) and class-balanced; test = official',
             'each folder holds its split under both the train-* and t10k-* '
             "names: load it with dict(type='FashionMNIST', data_root=<dir>)"]
    summary = dict(out=out, seed=seed, notes=notes, splits={
        s: dict(size=len(i), path=osp.join(out, s),
                labels='zeroed' if s == 'pretrain' else 'real')
        for s, i in idx.items()})
    files = [osp.join(s, n) for s in idx for n in RAW_MD5]
    if check_output_dir(out, MARKER, config, files, force):
        summary.update(skipped=True, seconds=round(time.time() - t0, 2))
        return summary
    _unmark(out, keep=list(idx))
    record = {}
    for s in progress(list(idx), 'writing Fashion-MNIST splits', 'split'):
        record[s] = dict(size=len(idx[s]),
                         labels=summary['splits'][s]['labels'])
        if s == 'test':
            record[s].update(source='official test set', indices='all')
            _write_split(osp.join(out, s), 't10k', arr['test_images'],
                         arr['test_labels'])
            continue
        labs = arr['train_labels'][idx[s]]
        _write_split(osp.join(out, s), 'train', arr['train_images'][idx[s]],
                     np.zeros_like(labs) if s == 'pretrain' else labs)
        record[s].update(source='official train set', indices=idx[s],
                         indices_sha256=hashlib.sha256(
                             idx[s].astype('<i8').tobytes()).hexdigest())
    _write_marker(osp.join(out, MARKER),
                  dict(config=config, splits=record, notes=notes))
    summary.update(skipped=False, seconds=round(time.time() - t0, 2))
    return summary
