"""Teacher-embedding cache (issue 12): online vs cached training step.

Per setting, in one run: a real cache is built by
:func:`mmlgd.teacher_cache.build_teacher_cache` from the setting's own
augmentation pipeline over a batch of random images (timed: build cost per
view), then three end-to-end steps (``default_collate`` +
``model.train_step``) of the same model on the same replayed batch are
timed interleaved (order rotated every round):

* *online*: the config's teacher runs on the view (what LGD does);
* *cached*: :class:`CachedTeacher` returns the ``z_T`` the dataset attached
  to each sample (read from the memory-mapped cache when the sample was
  replayed; that read is timed alone below; the teacher is not built for
  this path);
* *student-only*: ``z_T`` handed over precomputed, no teacher and no cache
  read: student forward/backward + LGD's own work, the floor.

Target: cached / student-only <= 1.10. The cache read alone and the disk /
page-cache size per million images (``N x D x itemsize`` bytes per image)
are reported too.
"""
import os.path as osp
import statistics
import time
from typing import List

import numpy as np
import torch
from mmengine.config import Config
from torch import nn

from ..utils.configs import config_path
from .common import time_interleaved
from .step import StepRunner

PIPELINES = {  # full configs whose train pipeline each setting replays
    'R18 <- CLIP RN50': 'configs/lgd/lgd_clip-rn50_resnet18_8xb256-200e_in1k.py',  # noqa
    'embedded': 'configs/fashion_mnist/lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',  # noqa
}


class GivenEmbeddings(nn.Module):
    """A zero-cost teacher: returns the embeddings it was given."""

    def __init__(self, z: torch.Tensor):
        super().__init__()
        self.register_buffer('z', z, persistent=False)
        self.embed_dim = z.shape[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.z


def _dataset_cfg(meta: dict, root: str, n: int) -> dict:
    """The setting's training dataset over ``n`` random images in
    ``root``: an image folder (224 px setting) or Fashion-MNIST idx files
    (embedded), with the full config's own pipeline."""
    key = 'embedded' if meta['image'] == 32 else 'R18 <- CLIP RN50'
    ds = Config.fromfile(config_path(PIPELINES[key])).train_dataloader
    ds = ds.dataset.to_dict()
    rng = np.random.default_rng(0)
    if meta['image'] == 32:
        from mmlgd.datasets.fashion_mnist.idx import write_idx
        imgs = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        for pre in ('train', 't10k'):
            write_idx(osp.join(root, f'{pre}-images-idx3-ubyte'), imgs)
            write_idx(osp.join(root, f'{pre}-labels-idx1-ubyte'),
                      np.zeros(n))
        return dict(ds, data_root=root)
    import mmcv
    for i in range(n):
        mmcv.imwrite(rng.integers(0, 256, (256, 320, 3), dtype=np.uint8),
                     osp.join(root, f'{i:04d}.jpg'))
    return dict(type='CustomDataset', data_root=root, with_label=False,
                pipeline=ds['pipeline'])


def run_setting(model, meta: dict, device: str, batch: int, repeats: int,
                warmup: int, tmp: str, num_views: int = 2,
                log=print) -> dict:
    """Build a cache for ``batch`` images x ``num_views`` views, then time
    online / cached / student-only steps interleaved. Returns the figures
    (seconds, bytes)."""
    from mmengine.dataset import default_collate
    from mmpretrain.registry import MODELS

    from mmlgd.teacher_cache import (
        CachedViewDataset,
        TeacherCacheStore,
        build_teacher_cache,
    )
    tag = f'cache-{meta["image"]}'
    root, out = osp.join(tmp, f'{tag}-data'), osp.join(tmp, tag)
    teacher_cfg = meta['model_cfg'].target_generator
    pre_cfg = meta['model_cfg'].data_preprocessor
    cfg = Config(dict(model=dict(target_generator=teacher_cfg,
                                 data_preprocessor=pre_cfg),
                      train_dataloader=dict(
                          dataset=_dataset_cfg(meta, root, batch))))
    t0 = time.perf_counter()
    MODELS.build(teacher_cfg)
    t_teacher = time.perf_counter() - t0
    t0 = time.perf_counter()
    build_teacher_cache(cfg, out, num_views, batch_size=min(batch, 64),
                        device=device)
    t_build = time.perf_counter() - t0
    store = TeacherCacheStore(out)
    cached = MODELS.build(dict(type='CachedTeacher', cache_dir=out,
                               teacher=teacher_cfg,
                               data_preprocessor=pre_cfg))
    ds = CachedViewDataset(cfg.train_dataloader.dataset, out)
    rng = np.random.default_rng(1)
    pairs = [(i, int(rng.integers(num_views))) for i in range(batch)]
    samples = [ds[p] for p in pairs]
    online = model.target_generator
    x = model.data_preprocessor(default_collate(samples), True)['inputs'][0]
    given = GivenEmbeddings(cached(x, [s['data_samples'] for s in samples]))
    runner = StepRunner(model, samples, device)
    wrapper = runner.optim_wrapper()

    def step_with(teacher):
        def fn():
            model.target_generator = teacher
            runner.end_to_end(wrapper)
        return fn

    fns = [('online', step_with(online)), ('cached', step_with(cached)),
           ('student-only', step_with(given))]
    for _ in range(warmup):
        for _, fn in fns:
            fn()
    samples_s = {name: [] for name, _ in fns}
    for r in range(max(1, repeats)):  # rotate the order every round
        order = dict(fns[r % 3:] + fns[:r % 3])
        for name, t in time_interleaved(order, device, 1, 0).items():
            samples_s[name] += t['samples']
    steps = {k: dict(median=statistics.median(v), samples=v)
             for k, v in samples_s.items()}
    model.target_generator = online
    idx, views = np.array(pairs).T
    read = time_interleaved({'read': lambda: torch.from_numpy(
        store.lookup(idx, views)).to(device, torch.float32)}, device,
        max(5, repeats), 1, min_sample_s=0.005)['read']
    med = {k: v['median'] for k, v in steps.items()}
    rounds = {k: [a / b for a, b in zip(steps[k]['samples'],
                                         steps['student-only']['samples'])]
              for k in ('online', 'cached')}
    ratios = {k: statistics.median(v) for k, v in rounds.items()}
    res = dict(meta=meta, batch=batch, num_views=num_views, steps=med,
               ratio=ratios, rounds=rounds, read=read['median'], build=t_build,
               teacher_build=t_teacher, views=batch * num_views,
               dim=store.dim, dtype=store.manifest['dtype'],
               repeats=max(1, repeats))
    log(f'  cache {meta["name"]} b{batch}: online {med["online"]:.3f} s, '
        f'cached {med["cached"]:.3f} s, student-only '
        f'{med["student-only"]:.3f} s; cached / student-only '
        f'{ratios["cached"]:.3f}')
    return res


def _span(values: List[float]) -> str:
    return f'{min(values):.2f}-{max(values):.2f}x'


def per_million(dim: int, num_views: int, dtype: str = 'float16') -> float:
    """Bytes of ``z_T`` per million images: ``1e6 * N * D * itemsize``."""
    return 1e6 * num_views * dim * np.dtype(dtype).itemsize


def markdown(results: List[dict], device: str) -> str:
    """Section 5 of the report."""
    from mmlgd.utils.markdown import md_table

    from .common import ms
    header = ['setting', 'online step', 'cached step', 'student-only step',
              'online / student-only', 'cached / student-only (target <= '
              '1.10)', 'cache read (batch)', 'build per view']
    rows, notes = [], []
    for r in results:
        met = 'met' if r['ratio']['cached'] <= 1.10 else 'NOT met'
        per_view = (r['build'] - r['teacher_build']) / r['views']
        student = r['steps']['student-only']
        rows.append([
            f'{r["meta"]["name"]}, b{r["batch"]}, {r["meta"]["image"]} px',
            f'{ms(r["steps"]["online"])} ms', f'{ms(r["steps"]["cached"])} ms',
            f'{ms(r["steps"]["student-only"])} ms',
            f'{r["ratio"]["online"]:.2f}x ({_span(r["rounds"]["online"])})',
            f'**{r["ratio"]["cached"]:.3f}x** ({met}; '
            f'{_span(r["rounds"]["cached"])})',
            f'{ms(r["read"])} ms ({100 * r["read"] / student:.3f}% of the '
            'student-only step)', f'{ms(per_view)} ms'])
        sizes = ', '.join(
            f'N={n}: {per_million(r["dim"], n) / 2**30:.1f} GiB'
            for n in (1, 5, 10))
        notes.append(
            f'- {r["meta"]["name"]} (D={r["dim"]}, {r["dtype"]}): disk, and '
            f'page cache to serve it from memory, per million images: '
            f'{sizes} (fp32 doubles it). Build: {r["build"]:.2f} s for '
            f'{r["views"]} views including {r["teacher_build"]:.2f} s to '
            'build the teacher once.')
    return '\n'.join([
        '## 5. Teacher cache: online vs cached step', '',
        'A real cache (`tools/cache_teacher.py` logic) is built from each '
        'setting\'s own augmentation pipeline over one batch of random '
        'images, N views each; then end-to-end steps (`default_collate` + '
        '`train_step`) of one model on the same replayed batch are timed '
        'interleaved (order rotated every round) with three teachers: '
        '*online* (the config\'s teacher '
        'forward), *cached* (`CachedTeacher`: the fp16 `z_T` the dataset '
        'attached to each sample, renormalised), *student-only* (`z_T` '
        'given, no teacher, no read: the floor). Ratios are medians of '
        f'per-round ratios (range over rounds in brackets); '
        f'{results[0]["repeats"]} round(s) on {device}. Only ratios within '
        'this run compare; on a loaded machine the spread of the step '
        'ratios shows how far they can be trusted, while the cache read '
        '(timed alone, batched) bounds what the cache itself adds to a '
        'step. *build per view* = (build wall time - one '
        'teacher construction) / views: pipeline replay + teacher forward '
        '+ atomic shard write. The batch fits the page cache here; on a '
        'full ImageNet cache that does not fit in RAM, each step reads B '
        'random rows from disk.', '',
        md_table(header, rows), ''] + notes + [''])
