"""``tools/cache_teacher.py``: build, verify and describe teacher caches
(:func:`mmlgd.teacher_cache.build_teacher_cache`,
:func:`~mmlgd.teacher_cache.verify_cache`, the cache card).

    python tools/cache_teacher.py CONFIG --views N --out DIR [--seed S]
    python tools/cache_teacher.py build CONFIG --views N --out DIR   (same)
    torchrun --nproc_per_node K tools/cache_teacher.py CONFIG ... \\
        --launcher pytorch
    python tools/cache_teacher.py verify DIR CONFIG [--samples 64]
    python tools/cache_teacher.py info DIR
"""
import argparse
import os
import os.path as osp
import sys
from typing import Optional, Sequence

from .errors import CliError, Interrupted, cli_main
from .parser import (
    DefaultsFormatter,
    add_cfg_options,
    add_runner_args,
    export_local_rank,
    make_parser,
)

COMMANDS = ('build', 'verify', 'info')


def _add_build(sub) -> None:
    parser = sub.add_parser(
        'build', formatter_class=DefaultsFormatter,
        help='cache the teacher embeddings (the default command)',
        description='Cache the teacher embeddings of N views per image (it '
        'trains nothing; train from the cache with: tools/train.py CONFIG '
        '--teacher-cache DIR)')
    parser.add_argument('config', help='the online (LGD) config')
    parser.add_argument('--views', type=int, required=True,
                        help='N stored views per image')
    parser.add_argument('--out', required=True, help='cache folder')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the stored views')
    parser.add_argument('--dtype', default='float16',
                        choices=['float16', 'float32'],
                        help='storage type of the embeddings')
    parser.add_argument(
        '--shard-size', type=int, default=8192,
        help='images per shard (each shard is one memory map, i.e. one open '
        'file per training process: ImageNet-1k makes 157 shards)')
    parser.add_argument('--batch-size', type=int, default=64,
                        help='images per teacher forward pass')
    parser.add_argument('--workers', type=int,
                        default=min(4, len(os.sched_getaffinity(0))),
                        help='data loader workers (4, or the number of '
                        'usable CPU cores if fewer)')
    parser.add_argument('--full-hash', action='store_true',
                        help='fingerprint each image file by its whole '
                        'content (default: size + first and last 64 KiB)')
    parser.add_argument('--force', action='store_true',
                        help='replace a cache built with another key')
    add_runner_args(parser)


def _add_verify(sub) -> None:
    from mmlgd.teacher_cache.verify import THRESHOLD
    parser = sub.add_parser(
        'verify', formatter_class=DefaultsFormatter,
        help='re-embed a sample of cached views and compare',
        description='Re-render a random sample of cached views, re-run the '
        'teacher and compare with the stored z_T.')
    parser.add_argument('cache_dir', help='the cache folder')
    parser.add_argument('config', help='the online config it was built for')
    parser.add_argument('--samples', type=int, default=64,
                        help='cached views to re-embed')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the sample')
    parser.add_argument('--threshold', type=float, default=THRESHOLD,
                        help='lowest cosine that passes (set by the fp16 '
                        'store)')
    add_cfg_options(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(
        'Build, verify and describe teacher-embedding caches. A first '
        'argument that is not a command means build.')
    sub = parser.add_subparsers(dest='command', metavar='{build,verify,info}',
                                help='build (default), verify or info; '
                                'COMMAND --help for its options')
    _add_build(sub)
    _add_verify(sub)
    info = sub.add_parser('info', formatter_class=DefaultsFormatter,
                          help="print a cache's card",
                          description="Print a cache's card.")
    info.add_argument('cache_dir', help='the cache folder')
    return parser


def _build(args: argparse.Namespace) -> dict:
    from mmengine.dist import get_dist_info

    from mmlgd.apis.runner_setup import init_dist_process_group, load_config
    from mmlgd.teacher_cache import build as build_mod
    export_local_rank(args)
    cfg = load_config(args.config, args.cfg_options, launcher=args.launcher)
    import mmlgd  # noqa: F401
    if args.launcher != 'none':
        init_dist_process_group(cfg)
    try:
        manifest = build_mod.build_teacher_cache(
            cfg, args.out, args.views, args.seed, args.dtype,
            args.shard_size, args.batch_size, args.workers, force=args.force,
            full_hash=args.full_hash)
    except KeyboardInterrupt:
        raise Interrupted(f'The complete shards in {args.out} are kept; '
                          'rerun the same command to build the rest.') \
            from None
    if get_dist_info()[0] == 0:
        print(f'\nDone: {osp.abspath(args.out)} ({manifest["bytes"]} bytes). '
              'Train from it with: python tools/train.py CONFIG '
              f'--teacher-cache {args.out} (check it with '
              'tools/cache_teacher.py verify).')
    return manifest


def _verify(args: argparse.Namespace) -> dict:
    from mmlgd.apis.runner_setup import load_config
    from mmlgd.teacher_cache.verify import format_report, verify_cache
    cfg = load_config(args.config, args.cfg_options)
    import mmlgd  # noqa: F401
    report = verify_cache(cfg, args.cache_dir, args.samples, args.seed,
                          args.threshold)
    print(format_report(report, args.cache_dir))
    if not report['ok']:
        raise CliError(f'verify failed for {args.cache_dir} (see above).')
    return report


def _info(args: argparse.Namespace) -> dict:
    from mmlgd.teacher_cache.card import format_card
    from mmlgd.teacher_cache.store import read_manifest
    manifest = read_manifest(args.cache_dir)
    print(format_card(manifest, args.cache_dir))
    return manifest


def run(argv: Optional[Sequence[str]] = None) -> dict:
    """Run one command of ``tools/cache_teacher.py ARGV``; a first argument
    that is not a command means ``build`` (the original form ``CONFIG
    --views N --out DIR``).

    Args:
        argv (Sequence[str], optional): ``sys.argv[1:]`` when None.

    Returns:
        dict: the manifest (build, info) or the verify report.

    Raises:
        ValueError: a bad argument or a cache built for something else.
        FileNotFoundError: no cache (manifest) in the folder.
        CliError: verify found mismatching embeddings.
        Interrupted: Ctrl-C during a build (says what was kept).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        argv.insert(0, 'build')
    args = build_parser().parse_args(argv)
    return {'build': _build, 'verify': _verify,
            'info': _info}[args.command](args)


@cli_main
def main(argv: Optional[Sequence[str]] = None) -> None:
    run(argv)
