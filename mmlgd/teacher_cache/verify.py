"""Check a cache against its config: re-render a random sample of views, run
the real teacher on them and compare with the stored ``z_T`` (TinyViT's
``--check-saved-logits`` pass does the same for stored logits)."""
from typing import Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope

from .dataset import check_dataset
from .key import check_key, teacher_identity
from .replay import replay_view
from .store import TeacherCacheStore

# fp16 stores z_T with a relative rounding error below 2**-11 per entry, so a
# correct view gives cosine > 0.9999 with the fresh fp32 embedding; 0.999
# leaves room for nondeterministic kernels and still catches a changed
# image, decoder or teacher.
THRESHOLD = 0.999


@torch.no_grad()
def verify_cache(cfg: Config, cache_dir: str, samples: int = 64,
                 seed: int = 0, threshold: float = THRESHOLD,
                 batch_size: int = 64,
                 device: Optional[str] = None) -> dict:
    """Re-render ``samples`` random (image, view) pairs of the cache from
    their stored parameters, embed them with ``cfg``'s teacher and compare
    with the stored ``z_T``.

    Args:
        cfg (Config): the online LGD config the cache was built for.
        cache_dir (str): the cache.
        samples (int): pairs to check (all of them if fewer).
        seed (int): seed of the sample.
        threshold (float): the lowest cosine that passes.
        batch_size (int): teacher batch.
        device (str, optional): default CUDA if available, else CPU.

    Returns:
        dict: ``ok``, ``problems`` (key mismatches, named), ``pairs``,
        ``cosine`` (min / p1 / median / mean / max), ``below`` (pairs under
        the threshold), ``threshold``.

    Raises:
        FileNotFoundError / ValueError: no complete cache of this format.
    """
    from mmpretrain.registry import DATASETS, MODELS
    if DefaultScope.get_current_instance() is None:
        init_default_scope(cfg.get('default_scope', None) or 'mmpretrain')
    store = TeacherCacheStore(cache_dir)
    ds_cfg = cfg.train_dataloader.dataset
    dataset = DATASETS.build(ds_cfg)
    problems = []
    for check in (
            lambda: check_dataset(store, dataset, ds_cfg.pipeline),
            lambda: check_key(store.key, {'teacher': teacher_identity(
                cfg.model.target_generator,
                cfg.model.get('data_preprocessor'))}, cache_dir)):
        try:
            check()
        except ValueError as err:
            problems.append(str(err))
    total = store.num_images * store.num_views
    rng = np.random.default_rng(seed)
    flat = np.sort(rng.choice(total, min(samples, total), replace=False))
    pairs = [divmod(int(k), store.num_views) for k in flat]
    device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
    teacher = MODELS.build(cfg.model.target_generator).to(device).eval()
    pre = MODELS.build(cfg.model.data_preprocessor).to(device)
    cos = []
    for lo in range(0, len(pairs), batch_size):
        chunk = pairs[lo:lo + batch_size]
        views = torch.stack([replay_view(
            dataset, i, v, store.key['seed'],
            params=store.params(i, v))['inputs'][0] for i, v in chunk])
        x = pre(dict(inputs=[views], data_samples=None), False)['inputs'][0]
        fresh = teacher(x).float()
        stored = torch.from_numpy(np.array(store.lookup(
            *zip(*chunk)), dtype=np.float32)).to(fresh.device)
        cos.append(torch.nn.functional.cosine_similarity(fresh, stored))
    cos = torch.cat(cos).cpu().numpy().astype(np.float64)
    below = [pairs[k] for k in np.flatnonzero(cos < threshold)]
    return dict(
        ok=not problems and not below, problems=problems, pairs=len(pairs),
        threshold=threshold, below=below,
        cosine=dict(min=float(cos.min()), p1=float(np.percentile(cos, 1)),
                    median=float(np.median(cos)), mean=float(cos.mean()),
                    max=float(cos.max())))


def format_report(report: dict, cache_dir: str) -> str:
    """The verify report as text."""
    c = report['cosine']
    lines = [f'Teacher cache {cache_dir}: {report["pairs"]} views '
             're-rendered and re-embedded.',
             f'  cosine(fresh z_T, stored z_T): min {c["min"]:.6f}  '
             f'p1 {c["p1"]:.6f}  median {c["median"]:.6f}  '
             f'mean {c["mean"]:.6f}  max {c["max"]:.6f}',
             f'  threshold {report["threshold"]}: '
             f'{len(report["below"])} views below it'
             + (f' (image, view): {report["below"][:8]}'
                if report['below'] else '')]
    lines += [f'  key: {p}' for p in report['problems']]
    lines.append('  OK' if report['ok'] else
                 '  FAILED: rebuild the cache for this config '
                 '(tools/cache_teacher.py CONFIG --views N --out DIR --force)')
    return '\n'.join(lines)
