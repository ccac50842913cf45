"""Build a teacher-embedding cache (FKD-style, Shen & Xing, ECCV 2022).

For every training image ``i`` and view ``j < N`` the config's own pipeline
runs with the RNGs seeded from ``(i, j, seed)`` and every
``@cache_randomness`` draw recorded (:func:`replay_view`); the config's
teacher embeds the view and ``z_T`` is stored (fp16 by default) in shards of
``shard_size`` images, shard ``s`` built by rank ``s % world_size``. Each
shard's parameters, then the shard itself, are written atomically (temporary
file + rename). A killed build rerun with the same arguments keeps its
complete shards and builds the rest. The key (:mod:`.key`) goes to
``build.json`` first and, with the card (:mod:`.card`), to ``manifest.json``
last.
"""
import io
import os.path as osp
import sys
from typing import Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dist import barrier, get_dist_info
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.utils import ProgressBar

from ..utils.fileio import atomic_open, atomic_write_json
from .card import make_card
from .key import cache_key, check_key, image_fingerprints
from .replay import replay_view
from .store import (
    BUILD,
    FINGERPRINTS,
    FORMAT,
    MANIFEST,
    TeacherCacheStore,
    cache_bytes,
    check_format,
    open_params,
    open_shard,
    params_path,
    read_json,
    remove_cache_files,
    shard_path,
    shard_shapes,
    write_params,
)


class _Views(torch.utils.data.Dataset):
    """(image, view) items of one shard -> (view tensor, call log)."""

    def __init__(self, dataset, items, seed):
        self.dataset, self.items, self.seed = dataset, items, seed

    def __len__(self):
        return len(self.items)

    def __getitem__(self, k):
        i, v = self.items[k]
        log = []
        return replay_view(self.dataset, i, v, self.seed,
                           log=log)['inputs'][0], log


def _collate(batch):
    return torch.stack([b[0] for b in batch]), [b[1] for b in batch]


def _prepare_dir(out: str, key: dict, force: bool) -> bool:
    """Rank 0: True if ``out`` already holds this complete cache; else make
    it ready to (re)build, writing ``build.json``.

    Raises:
        ValueError: ``out`` holds a cache with another key or format and not
            ``force`` (names what differs).
    """
    for name in (MANIFEST, BUILD):
        path = osp.join(out, name)
        if osp.isfile(path):
            try:
                meta = read_json(path, '')
                check_format(meta, out)
                check_key(meta['key'], key, out)
            except ValueError as err:
                if not force:
                    raise ValueError(
                        f'{err} To build the new cache in its place, rerun '
                        'with --force (the old cache files are deleted).'
                    ) from None
                remove_cache_files(out)
                break
            return name == MANIFEST
    atomic_write_json(osp.join(out, BUILD), {'format': FORMAT, 'key': key})
    return False


def _shard_done(out: str, s: int, shape: tuple, dtype: str) -> bool:
    try:
        arr = np.load(shard_path(out, s), mmap_mode='r')
        open_params(params_path(out, s), shape[0] * shape[1])
        return tuple(arr.shape) == shape and arr.dtype == np.dtype(dtype)
    except (OSError, ValueError):
        return False


@torch.no_grad()
def build_teacher_cache(cfg: Config, out: str, num_views: int, seed: int = 0,
                        dtype: str = 'float16', shard_size: int = 8192,
                        batch_size: int = 64, num_workers: int = 0,
                        device: Optional[str] = None, force: bool = False,
                        full_hash: bool = False) -> dict:
    """Build (or finish) the teacher cache of ``cfg`` in ``out``.

    Args:
        cfg (Config): an LGD config (``model.target_generator``,
            ``model.data_preprocessor``, ``train_dataloader.dataset``).
        out (str): cache folder.
        num_views (int): N views per image.
        seed (int): run seed of the views.
        dtype (str): stored dtype (``float16`` or ``float32``).
        shard_size (int): images per shard (one memory map each).
        batch_size (int), num_workers (int): teacher batch, loader workers.
        device (str, optional): default CUDA if available, else CPU.
        force (bool): replace a cache with another key or format.
        full_hash (bool): fingerprint image files by their whole content
            (default: size + first and last 64 KiB).

    Returns:
        dict: the manifest.

    Raises:
        ValueError: bad N / dtype, or ``out`` holds another cache (named).
    """
    from mmpretrain.registry import DATASETS, MODELS
    if num_views < 1 or dtype not in ('float16', 'float32'):
        raise ValueError(f'--views must be >= 1 and --dtype float16 or '
                         f'float32, got {num_views}, {dtype!r}.')
    if DefaultScope.get_current_instance() is None:
        init_default_scope(cfg.get('default_scope', None) or 'mmpretrain')
    rank, world = get_dist_info()
    ds_cfg = cfg.train_dataloader.dataset
    dataset = DATASETS.build(ds_cfg)
    content = 'full' if full_hash else 'ends'
    key = cache_key(cfg.model.target_generator,
                    cfg.model.get('data_preprocessor'), ds_cfg.pipeline,
                    dataset, num_views, seed, content)
    done = _prepare_dir(out, key, force) if rank == 0 else False
    barrier()
    if done or osp.isfile(osp.join(out, MANIFEST)):
        return TeacherCacheStore(out).manifest
    check_key(read_json(osp.join(out, BUILD), '')['key'], key, out)
    device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
    teacher = MODELS.build(cfg.model.target_generator).to(device).eval()
    pre = MODELS.build(cfg.model.data_preprocessor).to(device)
    n, dim = len(dataset), int(teacher.embed_dim)
    shapes = shard_shapes(n, num_views, dim, shard_size)
    if rank == 0:
        size = cache_bytes(n, num_views, dim, dtype)
        print(f'Teacher cache: {n} images x {num_views} views x {dim} dims '
              f'x {dtype} = {size / 2**30:.3f} GiB on disk '
              f'({len(shapes)} shards, {world} ranks) -> {out}', flush=True)
    todo = [s for s in range(rank, len(shapes), world)
            if not _shard_done(out, s, shapes[s], dtype)]
    total = sum(shapes[s][0] for s in todo) * num_views
    mine = len(range(rank, len(shapes), world))
    if rank == 0 and len(todo) < mine:
        print(f'Resuming: {mine - len(todo)} of rank 0\'s {mine} shards '
              'are complete and kept; building the rest.', flush=True)
    bar = ProgressBar(total, file=sys.stdout if rank == 0 else io.StringIO())
    for s in todo:
        lo = s * shard_size
        items = [(i, v) for i in range(lo, lo + shapes[s][0])
                 for v in range(num_views)]
        loader = torch.utils.data.DataLoader(
            _Views(dataset, items, seed), batch_size=batch_size,
            num_workers=num_workers, collate_fn=_collate)
        rows, logs = [], []
        for views, batch_logs in loader:
            x = pre(dict(inputs=[views], data_samples=None),
                    False)['inputs'][0]
            rows.append(teacher(x).float().cpu().numpy().astype(dtype))
            logs.extend(batch_logs)
            bar.update(len(views))
        write_params(params_path(out, s), logs)
        with atomic_open(shard_path(out, s)) as f:
            np.save(f, np.concatenate(rows).reshape(shapes[s]))
    barrier()
    if rank == 0:
        for s, shape in enumerate(shapes):  # every shard, by name, or fail
            open_shard(shard_path(out, s), shape, dtype)
            open_params(params_path(out, s), shape[0] * shape[1])
        with atomic_open(osp.join(out, FINGERPRINTS)) as f:
            np.save(f, image_fingerprints(dataset, content))
        itemsize = np.dtype(dtype).itemsize
        atomic_write_json(osp.join(out, MANIFEST), dict(
            format=FORMAT, key=key, num_images=n, dim=dim, dtype=dtype,
            shard_size=shard_size, bytes=cache_bytes(n, num_views, dim,
                                                     dtype),
            card=make_card(key, cfg.model.target_generator, n, dim, dtype,
                           itemsize)))
    barrier()
    return TeacherCacheStore(out).manifest
