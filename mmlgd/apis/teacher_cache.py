"""Build a teacher-embedding cache (FKD-style); train from it with
``tools/train.py CONFIG --teacher-cache DIR``.

    python tools/cache_teacher.py CONFIG --views N --out DIR [--seed S]
    torchrun --nproc_per_node K tools/cache_teacher.py ... --launcher pytorch

For every training image ``i`` and view ``j < N`` the config's own pipeline
runs with the RNGs seeded from ``(i, j, seed)``
(:func:`mmlgd.datasets.view_replay.replay_view`), the config's teacher embeds
the view, and ``z_T`` is stored (fp16 by default) in shards of
``--shard-size`` images, shard ``s`` built by rank ``s % world_size``, each
written atomically (temporary file + rename). A killed build rerun with the
same arguments keeps its complete shards and builds the rest. The key
(teacher + weights hash, pipeline, file list, N, seed; see
:mod:`mmlgd.utils.teacher_cache`) goes to ``build.json`` first and to
``manifest.json`` last.

Training from the cache: :func:`cached_config` (``model.target_generator``
-> :class:`CachedTeacher`, the dataset -> :class:`CachedViewDataset`, the
sampler -> :class:`CachedViewSampler`); the teacher is never built.
"""
import argparse
import copy
import io
import os
import os.path as osp
import sys
from typing import Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dist import barrier, get_dist_info
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.utils import ProgressBar

from ..datasets.view_replay import replay_view
from ..utils.fileio import atomic_open, atomic_write_json
from ..utils.teacher_cache import (
    BUILD,
    FORMAT,
    MANIFEST,
    TeacherCacheStore,
    cache_bytes,
    cache_key,
    check_key,
    open_shard,
    plain,
    read_json,
    remove_cache_files,
    shard_path,
    shard_shapes,
)


class _Views(torch.utils.data.Dataset):
    """(image, view) items of one shard -> the replayed view tensor."""

    def __init__(self, dataset, items, seed):
        self.dataset, self.items, self.seed = dataset, items, seed

    def __len__(self):
        return len(self.items)

    def __getitem__(self, k):
        i, v = self.items[k]
        return replay_view(self.dataset, i, v, self.seed)['inputs'][0]


def _prepare_dir(out: str, key: dict, force: bool) -> bool:
    """Rank 0: True if ``out`` already holds this complete cache; else make
    it ready to (re)build, writing ``build.json``.

    Raises:
        ValueError: ``out`` holds a cache with another key and not ``force``
            (names what differs).
    """
    for name in (MANIFEST, BUILD):
        path = osp.join(out, name)
        if osp.isfile(path):
            try:
                check_key(read_json(path, '')['key'], key, out)
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


def _shard_done(path: str, shape: tuple, dtype: str) -> bool:
    try:
        arr = np.load(path, mmap_mode='r')
        return tuple(arr.shape) == shape and arr.dtype == np.dtype(dtype)
    except (OSError, ValueError):
        return False


@torch.no_grad()
def build_teacher_cache(cfg: Config, out: str, num_views: int, seed: int = 0,
                        dtype: str = 'float16', shard_size: int = 8192,
                        batch_size: int = 64, num_workers: int = 0,
                        device: Optional[str] = None,
                        force: bool = False) -> dict:
    """Build (or finish) the teacher cache of ``cfg`` in ``out``.

    Args:
        cfg (Config): an LGD config (``model.target_generator``,
            ``model.data_preprocessor``, ``train_dataloader.dataset``).
        out (str): cache folder.
        num_views (int): N views per image.
        seed (int): run seed of the views.
        dtype (str): stored dtype (``float16`` or ``float32``).
        shard_size (int): images per shard; a shard is built in memory
            (``shard_size * N * D * itemsize`` bytes) and read as one memory
            map (one open file per process).
        batch_size (int), num_workers (int): teacher batch, loader workers.
        device (str, optional): default CUDA if available, else CPU.
        force (bool): replace a cache with another key.

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
    key = cache_key(cfg.model.target_generator,
                    cfg.model.get('data_preprocessor'), ds_cfg.pipeline,
                    dataset, num_views, seed)
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
            if not _shard_done(shard_path(out, s), shapes[s], dtype)]
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
            num_workers=num_workers)
        rows = []
        for views in loader:
            x = pre(dict(inputs=[views], data_samples=None),
                    False)['inputs'][0]
            rows.append(teacher(x).float().cpu().numpy().astype(dtype))
            bar.update(len(views))
        with atomic_open(shard_path(out, s)) as f:
            np.save(f, np.concatenate(rows).reshape(shapes[s]))
    barrier()
    if rank == 0:
        for s, shape in enumerate(shapes):  # every shard, by name, or fail
            open_shard(shard_path(out, s), shape, dtype)
        atomic_write_json(osp.join(out, MANIFEST), dict(
            format=FORMAT, key=key, num_images=n, dim=dim, dtype=dtype,
            shard_size=shard_size, bytes=cache_bytes(n, num_views, dim,
                                                     dtype)))
    barrier()
    return TeacherCacheStore(out).manifest


def cached_config(cfg: Config, cache_dir: str,
                  num_views: Optional[int] = None) -> Config:
    """A copy of an LGD config that trains from ``cache_dir``: the teacher
    becomes a :class:`CachedTeacher` (checked against the original teacher
    and data preprocessor), the dataset a :class:`CachedViewDataset`, the
    sampler a :class:`CachedViewSampler` (its other settings kept).
    ``num_views``, when given, must be the cache's N.

    Raises:
        ValueError: the sampler is not mmengine's ``DefaultSampler``.
    """
    cfg = copy.deepcopy(cfg)
    model, loader = cfg.model, cfg.train_dataloader
    model.target_generator = dict(
        type='CachedTeacher', cache_dir=cache_dir,
        teacher=plain(model.target_generator),
        data_preprocessor=plain(model.get('data_preprocessor')))
    sampler = dict(loader.get('sampler') or dict(type='DefaultSampler'))
    if sampler.get('type') != 'DefaultSampler':
        raise ValueError(f'Training from a teacher cache replaces the '
                         f'DefaultSampler; this config uses {sampler}.')
    sampler['type'] = 'CachedViewSampler'
    loader.sampler = sampler
    loader.dataset = dict(type='CachedViewDataset', cache_dir=cache_dir,
                          dataset=plain(loader.dataset), num_views=num_views)
    return cfg


def main(argv=None) -> dict:
    from .runner_setup import load_config, parse_runner_args
    parser = argparse.ArgumentParser(description=(
        'Cache the teacher embeddings of N seeded views per training image '
        '(it trains nothing; train from the cache with: tools/train.py '
        'CONFIG --teacher-cache DIR)'))
    parser.add_argument('config')
    parser.add_argument('--views', type=int, required=True,
                        help='N stored views per image')
    parser.add_argument('--out', required=True, help='cache folder')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--dtype', default='float16',
                        choices=['float16', 'float32'])
    parser.add_argument(
        '--shard-size', type=int, default=8192,
        help='images per shard (each shard is one memory map, i.e. one open '
        'file per training process: ImageNet-1k makes 157 shards)')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--workers', type=int,
                        default=min(4, len(os.sched_getaffinity(0))),
                        help='data loader workers (default: 4, or the '
                        'number of usable CPU cores if fewer)')
    parser.add_argument('--force', action='store_true',
                        help='replace a cache built with another key')
    args = parse_runner_args(parser, argv)
    cfg = load_config(args.config, args.cfg_options,
                      launcher=args.launcher)
    import mmlgd  # noqa: F401
    if args.launcher != 'none':
        _init_dist(cfg)
    try:
        manifest = build_teacher_cache(
            cfg, args.out, args.views, args.seed, args.dtype,
            args.shard_size, args.batch_size, args.workers, force=args.force)
    except ValueError as err:  # a bad argument or a mismatched cache
        raise SystemExit(f'cache_teacher: {err}') from None
    except KeyboardInterrupt:
        raise SystemExit(
            f'\ncache_teacher: interrupted. The complete shards in '
            f'{args.out} are kept; rerun the same command to build the '
            'rest.') from None
    if get_dist_info()[0] == 0:
        print(f'\nDone: {osp.abspath(args.out)} ({manifest["bytes"]} bytes). '
              'Train from it with: python tools/train.py CONFIG '
              f'--teacher-cache {args.out}')
    return manifest


def _init_dist(cfg: Config) -> None:
    from mmengine.dist import init_dist

    from .runner_setup import _init_cpu_process_group, _no_accelerator
    if _no_accelerator():
        _init_cpu_process_group(cfg)
    else:
        init_dist(cfg.launcher, **(cfg.get('env_cfg', {}).get(
            'dist_cfg', None) or {}))
