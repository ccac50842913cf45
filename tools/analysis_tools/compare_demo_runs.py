"""The demo report's paired verdicts side by side over independent runs.

    python tools/analysis_tools/compare_demo_runs.py \
        RUN_A/results.json RUN_B/results.json [--labels A B] [--out FILE]

Each run's comparisons (LGD minus each other student, each init minus
random init, ...) are recomputed from its own per-seed metrics, one column
per run, with whether the verdict ("separated" with its sign, or not)
held in every run. Logic: :mod:`mmlgd.demo.across_runs`; the command line:
:mod:`mmlgd.cli.compare_demo_runs`.
"""
import sys

from mmlgd.cli.compare_demo_runs import main

if __name__ == '__main__':
    sys.exit(main())
