"""``tools/test.py``: evaluate a checkpoint with any mmlgd / mmpretrain /
mmdet / mmseg config (:func:`mmlgd.apis.test.run_test`)."""
import argparse

from .errors import cli_main
from .parser import add_runner_args, export_local_rank, make_parser


def _pkl(text: str) -> str:
    """argparse type: a path ending with .pkl / .pickle."""
    if not text.endswith(('.pkl', '.pickle')):
        raise argparse.ArgumentTypeError(f'must end with .pkl, got {text!r}')
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser('Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint', help="checkpoint file, or 'none' for a model that "
        'needs none of ours (e.g. the zero-shot CLIP teacher)')
    parser.add_argument('--work-dir', help='the dir to save the metrics')
    parser.add_argument('--out', type=_pkl,
                        help='dump predictions to this .pkl file')
    parser.add_argument('--show-dir',
                        help='save painted predictions under work_dir/DIR')
    return add_runner_args(parser)


def run(args: argparse.Namespace) -> dict:
    """Evaluate as ``tools/test.py`` does with the parsed ``args``; returns
    the metrics.

    Args:
        args (argparse.Namespace | Sequence[str]): from
            :func:`build_parser`, or the command line to parse with it.

    Raises:
        FileNotFoundError: the config or checkpoint does not exist
            (``'none'`` tests without one).
    """
    from mmlgd.apis.runner_setup import load_config
    from mmlgd.apis.test import run_test
    if not isinstance(args, argparse.Namespace):
        args = build_parser().parse_args(args)
    export_local_rank(args)
    cfg = load_config(args.config, args.cfg_options, args.work_dir,
                      args.launcher)
    checkpoint = None if args.checkpoint.lower() == 'none' \
        else args.checkpoint
    return run_test(cfg, checkpoint, args.out, args.show_dir)


@cli_main(parser=build_parser)
def main(args):
    run(args)
