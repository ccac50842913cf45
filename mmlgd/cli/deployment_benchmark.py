"""``tools/analysis_tools/deployment_benchmark.py``: CPU deployment
benchmark of the LGD students vs the CLIP RN50 teacher
(:func:`mmlgd.deployment.benchmark_report.deployment_benchmark`)."""
import shlex
import sys

from .errors import cli_main
from .parser import add_force, make_parser


def build_parser():
    from mmlgd.deployment.benchmark import BACKENDS
    parser = make_parser('CPU deployment benchmark of the LGD students vs '
                         'the CLIP RN50 teacher.')
    parser.add_argument('--out', default='docs/deployment.md',
                        help='markdown output')
    parser.add_argument('--backends', nargs='+', choices=BACKENDS,
                        default=list(BACKENDS), help='what to time')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch / onnxruntime threads')
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
    add_force(parser, '--out')
    return parser


@cli_main
def main(argv=None):
    from mmlgd.deployment.benchmark_report import (
        default_specs,
        deployment_benchmark,
    )
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    command = 'python tools/analysis_tools/deployment_benchmark.py ' + \
        ' '.join(shlex.quote(a) for a in argv)
    deployment_benchmark(args.out, command.strip(),
                         default_specs(args.configs), args.backends,
                         args.threads, args.min_run_time,
                         args.compile_batches, args.compile_models,
                         args.force)
