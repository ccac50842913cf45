"""Benchmark LGD's hot paths and write ``docs/benchmark.md``.

    python tools/analysis_tools/benchmark.py            # full, minutes
    python tools/analysis_tools/benchmark.py --quick --out /tmp/b.md

Sections and method: :mod:`mmlgd.benchmark`. Nothing is downloaded: all
models use random weights or the offline MiniLM package. The markdown is
written atomically.
"""
import argparse
import os
import sys

from mmlgd.benchmark import SECTIONS, SETTINGS, run
from mmlgd.benchmark.runner import DEFAULT_OUT


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--quick', action='store_true',
                   help='tiny sizes and few repeats (CI smoke test)')
    p.add_argument('--out', default=DEFAULT_OUT,
                   help='markdown output (default docs/benchmark.md)')
    p.add_argument('--device', default=None,
                   help="'cuda' or 'cpu' (default: cuda if available)")
    p.add_argument('--sections', nargs='+', default=list(SECTIONS),
                   choices=SECTIONS, help='what to run (default: all)')
    p.add_argument('--settings', nargs='+', default=None, choices=SETTINGS,
                   help='step / fast-path settings (default: both; with '
                   '--quick only the embedded one)')
    p.add_argument('--tsb-templates', default=None,
                   help="template set for the cold TSB build ('simple' by "
                   "default: 'openai' is 80k prompts, tens of minutes on a "
                   'small CPU)')
    p.add_argument('--threads', type=int, default=None,
                   help='torch.set_num_threads (default: torch\'s own; '
                   '1 with --quick)')
    return p.parse_args(argv)


def main(argv=None) -> str:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    os.environ.setdefault('HF_HUB_OFFLINE', '1')  # this process only
    return run(argv=argv, **vars(args))


if __name__ == '__main__':
    main()
