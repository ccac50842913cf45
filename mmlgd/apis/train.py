"""Train any mmlgd / mmpretrain / mmdet / mmseg config: :func:`train` on a
loaded config, the ``tools/train.py`` flags applied by :func:`merge_args`
(the command line is :mod:`mmlgd.cli.train`).
"""
import argparse
from typing import Sequence

from mmengine.config import Config
from mmengine.device import get_device
from mmengine.runner import Runner

from .runner_setup import build_runner


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the train-specific flags to ``cfg`` (returns it).

    Args:
        cfg (Config): the loaded config
            (:func:`~mmlgd.apis.load_config`).
        args (argparse.Namespace): the parsed flags
            (:func:`mmlgd.cli.train.build_parser`).

    Raises:
        ValueError: ``--amp`` with a custom optim wrapper or without an
            accelerator; ``--auto-scale-lr`` without
            ``auto_scale_lr.base_batch_size`` in the config;
            ``--teacher-cache`` with a sampler other than ``DefaultSampler``.
        FileNotFoundError: ``--teacher-cache`` is not a folder.
    """
    if args.amp:
        wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(f'--amp cannot be combined with optim_wrapper '
                             f'type {wrapper!r}; drop --amp or use '
                             'OptimWrapper in the config.')
        if get_device() == 'cpu':
            raise ValueError('--amp needs a CUDA/NPU/MLU/MUSA device '
                             "(mmengine's AmpOptimWrapper) and none is "
                             'available here; drop --amp.')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in \
                cfg.auto_scale_lr:
            raise ValueError('--auto-scale-lr needs `auto_scale_lr = dict('
                             'base_batch_size=...)` in the config.')
        cfg.auto_scale_lr.enable = True
    # getattr: callers that build the namespace themselves (the demo) may
    # leave out the newer flags.
    if getattr(args, 'teacher_cache', None) is not None:
        cfg = from_teacher_cache(cfg, args.teacher_cache)
    return cfg


def from_teacher_cache(cfg: Config, cache_dir: str) -> Config:
    """``--teacher-cache DIR``: the config's cached variant
    (:func:`mmlgd.apis.teacher_cache.cached_config`).

    Raises:
        FileNotFoundError: ``cache_dir`` is not a folder.
    """
    import os.path as osp

    from .teacher_cache import cached_config
    if not osp.isdir(cache_dir):
        raise FileNotFoundError(
            f'--teacher-cache {cache_dir!r} is not a folder: build the cache '
            'first with tools/cache_teacher.py CONFIG --views N --out DIR.')
    return cached_config(cfg, cache_dir)


AMP_ONLY_KEYS = ('loss_scale', 'dtype', 'use_fsdp')


def plain_wrapper_without_accelerator(cfg: Config) -> Config:
    """On a machine without CUDA/NPU/MLU/MUSA, train an ``AmpOptimWrapper``
    config (the paper schedules' mixed precision) with the plain
    ``OptimWrapper`` and log it; drop AMP-only keys (``loss_scale``,
    ``dtype``) that a plain ``OptimWrapper`` rejects, so that the override
    ``--cfg-options optim_wrapper.type=OptimWrapper`` works as well.
    Returns ``cfg`` (changed in place).

    Args:
        cfg (Config): the loaded config.
    """
    from mmengine.logging import print_log
    wrapper = cfg.get('optim_wrapper', None)
    if not wrapper:
        return cfg
    kind = wrapper.get('type', 'OptimWrapper')
    if kind == 'AmpOptimWrapper' and get_device() == 'cpu':
        wrapper.type = kind = 'OptimWrapper'
        print_log('No CUDA/NPU/MLU/MUSA device: training in fp32 with '
                  'OptimWrapper instead of the config\'s AmpOptimWrapper.',
                  logger='current')
    if kind == 'OptimWrapper':
        dropped = [k for k in AMP_ONLY_KEYS if wrapper.pop(k, None)
                   is not None]
        if dropped:
            print_log(f'OptimWrapper: dropped the AMP-only settings '
                      f'{dropped}.', logger='current')
    return cfg


def train(cfg: Config, hooks: Sequence = ()) -> Runner:
    """Train a loaded config (:func:`load_config`, flags merged with
    :func:`merge_args`); returns the finished runner.

    Args:
        cfg (Config): the config to train.
        hooks (Sequence[Hook]): extra hooks registered on the runner (e.g.
            the demo's timing hook).

    Returns:
        Runner: the runner after ``train()``.
    """
    runner = build_runner(cfg)
    for hook in hooks:
        runner.register_hook(hook)
    runner.train()
    return runner
