"""``tools/cache_teacher.py``: build, verify and describe teacher caches.

    python tools/cache_teacher.py CONFIG --views N --out DIR [--seed S]
    python tools/cache_teacher.py build CONFIG --views N --out DIR   (same)
    torchrun --nproc_per_node K tools/cache_teacher.py CONFIG ... \\
        --launcher pytorch
    python tools/cache_teacher.py verify DIR CONFIG [--samples 64]
    python tools/cache_teacher.py info DIR

Errors (a bad argument, a cache built for something else, a failed verify)
end the process with a one-line ``cache_teacher: ...`` message.
"""
import argparse
import os
import os.path as osp
from typing import Optional, Sequence

from mmengine.dist import get_dist_info

COMMANDS = ('build', 'verify', 'info')


def _build(argv) -> dict:
    from ..apis.runner_setup import (
        init_dist_process_group,
        load_config,
        parse_runner_args,
    )
    from .build import build_teacher_cache
    parser = argparse.ArgumentParser(
        prog='cache_teacher.py [build]',
        description='Cache the teacher embeddings of N views per image (it '
        'trains nothing; train from the cache with: tools/train.py CONFIG '
        '--teacher-cache DIR)')
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
    parser.add_argument('--full-hash', action='store_true',
                        help='fingerprint each image file by its whole '
                        'content (default: size + first and last 64 KiB)')
    parser.add_argument('--force', action='store_true',
                        help='replace a cache built with another key')
    args = parse_runner_args(parser, argv)
    cfg = load_config(args.config, args.cfg_options, launcher=args.launcher)
    import mmlgd  # noqa: F401
    if args.launcher != 'none':
        init_dist_process_group(cfg)
    try:
        manifest = build_teacher_cache(
            cfg, args.out, args.views, args.seed, args.dtype,
            args.shard_size, args.batch_size, args.workers, force=args.force,
            full_hash=args.full_hash)
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
              f'--teacher-cache {args.out} (check it with '
              'tools/cache_teacher.py verify).')
    return manifest


def _verify(argv) -> dict:
    from mmengine.config import DictAction

    from ..apis.runner_setup import load_config
    from .verify import THRESHOLD, format_report, verify_cache
    parser = argparse.ArgumentParser(
        prog='cache_teacher.py verify',
        description='Re-render a random sample of cached views, re-run the '
        'teacher and compare with the stored z_T.')
    parser.add_argument('cache_dir')
    parser.add_argument('config', help='the online config it was built for')
    parser.add_argument('--samples', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the sample')
    parser.add_argument('--threshold', type=float, default=THRESHOLD,
                        help='lowest cosine that passes (default: '
                        f'{THRESHOLD}, set by the fp16 store)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    import mmlgd  # noqa: F401
    try:
        report = verify_cache(cfg, args.cache_dir, args.samples, args.seed,
                              args.threshold)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'cache_teacher: {err}') from None
    print(format_report(report, args.cache_dir))
    if not report['ok']:
        raise SystemExit(f'cache_teacher: verify failed for {args.cache_dir}'
                         ' (see above).')
    return report


def _info(argv) -> dict:
    from .card import format_card
    from .store import read_manifest
    parser = argparse.ArgumentParser(prog='cache_teacher.py info',
                                     description='Print a cache\'s card.')
    parser.add_argument('cache_dir')
    args = parser.parse_args(argv)
    try:
        manifest = read_manifest(args.cache_dir)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'cache_teacher: {err}') from None
    print(format_card(manifest, args.cache_dir))
    return manifest


def main(argv: Optional[Sequence[str]] = None) -> dict:
    """Run one command; a first argument that is not a command means
    ``build`` (the original form ``CONFIG --views N --out DIR``).

    Returns:
        dict: the manifest (build, info) or the verify report.

    Raises:
        SystemExit: a one-line ``cache_teacher: ...`` message on errors.
    """
    import sys
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv.pop(0) if argv and argv[0] in COMMANDS else 'build'
    return {'build': _build, 'verify': _verify, 'info': _info}[command](argv)
