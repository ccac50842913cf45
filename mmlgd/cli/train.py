"""``tools/train.py``: train any mmlgd / mmpretrain / mmdet / mmseg config
(:func:`mmlgd.apis.train.train`; flags -> config in
:func:`~mmlgd.apis.train.merge_args`)."""
import argparse

from .errors import cli_main
from .parser import add_runner_args, export_local_rank, make_parser


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser('Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or from the latest one in '
        'the work dir when no path is given')
    parser.add_argument('--amp', action='store_true',
                        help='enable automatic mixed precision training')
    parser.add_argument('--no-validate', action='store_true',
                        help='do not evaluate checkpoints during training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the actual total batch size')
    parser.add_argument(
        '--teacher-cache', metavar='DIR',
        help='train an LGD config from the teacher-embedding cache DIR '
        'built by tools/cache_teacher.py (the teacher is never loaded)')
    return add_runner_args(parser)


def run(args: argparse.Namespace):
    """Train as ``tools/train.py`` does with the parsed ``args``; returns
    the finished runner.

    Args:
        args (argparse.Namespace | Sequence[str]): from
            :func:`build_parser`, or the command line to parse with it.

    Raises:
        see :func:`~mmlgd.apis.load_config` and
        :func:`~mmlgd.apis.train.merge_args`.
    """
    from mmlgd.apis.runner_setup import load_config
    from mmlgd.apis.train import (
        merge_args,
        plain_wrapper_without_accelerator,
        train,
    )
    if not isinstance(args, argparse.Namespace):
        args = build_parser().parse_args(args)
    export_local_rank(args)
    cfg = load_config(args.config, args.cfg_options, args.work_dir,
                      args.launcher)
    return train(plain_wrapper_without_accelerator(merge_args(cfg, args)))


@cli_main(parser=build_parser)
def main(args):
    run(args)
