"""Evaluate a checkpoint with any mmlgd / mmpretrain / mmdet / mmseg config.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out R.pkl]
        [--show-dir DIR] [--cfg-options k=v ...] [--launcher pytorch]
"""
import argparse
import os.path as osp
from typing import Optional, Sequence

from mmengine.config import Config

from .runner_setup import (
    build_runner,
    load_config,
    parse_runner_args,
    scope_of,
)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """The command line of ``tools/test.py`` (``sys.argv`` when None)."""
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint', help="checkpoint file, or 'none' for a model that "
        'needs none of ours (e.g. the zero-shot CLIP teacher)')
    parser.add_argument('--work-dir', help='the dir to save the metrics')
    parser.add_argument('--out', help='dump predictions to this .pkl file')
    parser.add_argument('--show-dir',
                        help='save painted predictions under work_dir/DIR')
    args = parse_runner_args(parser, argv)
    if args.out is not None and not args.out.endswith(('.pkl', '.pickle')):
        parser.error(f'--out must end with .pkl, got {args.out!r}')
    return args


def enable_show(cfg: Config, show_dir: str) -> Config:
    """Turn on each toolbox's visualization hook, writing to ``show_dir``.

    Args:
        cfg (Config): an mmpretrain, mmdet or mmseg config.
        show_dir (str): where the painted predictions go.

    Raises:
        ValueError: the config has no ``visualization`` default hook.
    """
    scope = scope_of(cfg)
    vis = cfg.default_hooks.get('visualization', None)
    if vis is None:
        raise ValueError('--show-dir needs a `visualization` default hook.')
    if scope == 'mmpretrain':
        vis.update(enable=True, out_dir=show_dir)
    elif scope == 'mmdet':
        vis.update(draw=True, test_out_dir=show_dir)
    else:  # mmseg
        vis.update(draw=True)
        cfg.visualizer['save_dir'] = show_dir
    return cfg


def main(argv: Optional[Sequence[str]] = None) -> dict:
    """Evaluate as ``tools/test.py ARGV`` does; returns the metrics dict.

    Args:
        argv (Sequence[str], optional): the command line without the
            program name; ``sys.argv[1:]`` when None.

    Raises:
        FileNotFoundError: the checkpoint does not exist (``'none'`` tests
            without one).
    """
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.work_dir,
                      args.launcher)
    if args.checkpoint.lower() == 'none':
        cfg.load_from = None
    elif not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'Checkpoint {args.checkpoint!r} does not '
                                "exist (pass 'none' to test without one).")
    else:
        cfg.load_from = args.checkpoint
    cfg.resume = False  # load the weights only; resuming needs a train loop
    if args.show_dir:
        enable_show(cfg, args.show_dir)
    runner = build_runner(cfg)
    if args.out:
        from mmengine.evaluator import DumpResults
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))
    metrics = runner.test()
    return metrics
