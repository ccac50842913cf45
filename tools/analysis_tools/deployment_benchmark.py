"""CPU deployment benchmark of the LGD students vs the CLIP RN50 teacher.

    python tools/analysis_tools/deployment_benchmark.py
        [--out docs/deployment.md] [--backends eager compile onnxruntime]
        [--threads 1] [--min-run-time 1.0] [--compile-batches 1 32]
        [--compile-models NAME...] [--force]

Params / FLOPs (mmengine), batch-1 latency and batch-32 throughput for
PyTorch eager, torch.compile and onnxruntime, in one run, written as
Markdown. The logic is :mod:`mmlgd.deployment.benchmark`.
"""
import argparse
import shlex
import sys

from mmlgd.deployment.benchmark import BACKENDS
from mmlgd.deployment.benchmark_report import (
    default_specs,
    deployment_benchmark,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='docs/deployment.md')
    parser.add_argument('--backends', nargs='+', choices=BACKENDS,
                        default=list(BACKENDS))
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--min-run-time', type=float, default=1.0,
                        help='seconds of timed runs per batch-1 measurement'
                        ' (twice that at batch 32)')
    parser.add_argument('--compile-batches', type=int, nargs='+',
                        default=[1, 32], help='batch sizes timed with '
                        'torch.compile (each costs one compilation)')
    parser.add_argument('--compile-models', nargs='+',
                        help='model names timed with torch.compile '
                        '(default: all)')
    parser.add_argument('--configs', default=None,
                        help='folder holding the LGD configs (default: the '
                        'configs shipped with mmlgd)')
    parser.add_argument('--force', action='store_true',
                        help='replace --out if it exists')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    command = 'python tools/analysis_tools/deployment_benchmark.py ' + \
        ' '.join(shlex.quote(a) for a in (sys.argv[1:] if argv is None
                                          else argv))
    return deployment_benchmark(args.out, command.strip(),
                                default_specs(args.configs), args.backends,
                                args.threads, args.min_run_time,
                                args.compile_batches, args.compile_models,
                                args.force)


if __name__ == '__main__':
    main()
