"""The one way to turn an LGD config into its cached variant."""
import copy
from typing import Optional

from mmengine.config import Config

from .key import plain


def cached_config(cfg: Config, cache_dir: str,
                  num_views: Optional[int] = None) -> Config:
    """A copy of an LGD config that trains from ``cache_dir``.

    The dataset becomes a :class:`CachedViewDataset` (the only place the
    cache folder is configured: it replays each view and attaches its
    ``z_T``), the sampler a :class:`CachedViewSampler` (its other settings
    kept), the teacher a :class:`CachedTeacher` (checked against the
    original teacher and data preprocessor; never built). The shipped
    ``configs/fashion_mnist/lgd-cached-*`` config is this rewrite spelled
    out; a test holds them equal.

    Args:
        cfg (Config): an online LGD config.
        cache_dir (str): the cache folder.
        num_views (int, optional): when given, must be the cache's N.

    Raises:
        ValueError: the sampler is not mmengine's ``DefaultSampler``.
    """
    cfg = copy.deepcopy(cfg)
    model, loader = cfg.model, cfg.train_dataloader
    model.target_generator = dict(
        type='CachedTeacher', teacher=plain(model.target_generator),
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
