"""The teacher cache's trade-off curve: LGD online vs from caches of N views.

    python tools/analysis_tools/teacher_cache_curve.py
        [--views 1 2 4] [--epochs 8] [--images 5000] [--seeds 0 1 2]
        [--work-dir work_dirs/teacher_cache_curve]
        [--out docs/teacher_cache_curve.md] [--quick]

Runs (resumably) the demo's teacher, one cache per N, the online and cached
pre-training runs and their zero-shot / linear-probe evaluations, then
writes the table, paired tests and plot (next to --out, as .png). Logic:
:mod:`mmlgd.teacher_cache.curve`; the command line:
:mod:`mmlgd.cli.teacher_cache_curve`.
"""
import sys

from mmlgd.cli.teacher_cache_curve import main

if __name__ == '__main__':
    sys.exit(main())
