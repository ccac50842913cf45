"""Evaluate a checkpoint with any mmlgd / mmpretrain / mmdet / mmseg config:
:func:`run_test` on a loaded config (the command line is
:mod:`mmlgd.cli.test`).
"""
import os.path as osp
from typing import Optional, Sequence

from mmengine.config import Config

from .runner_setup import build_runner, scope_of


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


def run_test(cfg: Config, checkpoint: Optional[str],
             out: Optional[str] = None, show_dir: Optional[str] = None,
             hooks: Sequence = ()) -> dict:
    """Evaluate a loaded config (:func:`load_config`) with ``checkpoint``.

    Args:
        cfg (Config): the config to test (changed in place: ``load_from``,
            ``resume``, the visualization hook).
        checkpoint (str, optional): the weights; None tests without one
            (e.g. the zero-shot CLIP teacher).
        out (str, optional): also dump the predictions to this ``.pkl``.
        show_dir (str, optional): save painted predictions there
            (:func:`enable_show`).
        hooks (Sequence[Hook]): extra hooks registered on the runner.

    Returns:
        dict: the metrics.

    Raises:
        FileNotFoundError: the checkpoint does not exist.
        ValueError: ``show_dir`` on a config without a visualization hook.
    """
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'Checkpoint {checkpoint!r} does not '
                                "exist (pass 'none' to test without one).")
    cfg.load_from = checkpoint
    cfg.resume = False  # load the weights only; resuming needs a train loop
    if show_dir:
        enable_show(cfg, show_dir)
    runner = build_runner(cfg)
    for hook in hooks:
        runner.register_hook(hook)
    if out:
        from mmengine.evaluator import DumpResults
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=out))
    return runner.test()
