"""Benchmark LGD's hot paths and write ``docs/benchmark.md``.

    python tools/analysis_tools/benchmark.py            # full, minutes
    python tools/analysis_tools/benchmark.py --quick --out /tmp/b.md

Sections and method: :mod:`mmlgd.benchmark`. Nothing is downloaded: all
models use random weights or the offline MiniLM package. The markdown is
written atomically.
"""
import sys

from mmlgd.cli.benchmark import main

if __name__ == '__main__':
    sys.exit(main())
