"""The whole LGD pipeline on real Fashion-MNIST images, offline, on CPU.

    python tools/run_demo.py [--quick] [--work-dir DIR] [--seeds 0 1 2]
                             [--only STAGE ...] [--redo STAGE ...]
                             [--jobs N] [--threads T]

Data (``data/``) and outputs (``work_dirs/``) go under the current
directory; the configs are the package's own. Stages, resume, outputs:
:mod:`mmlgd.demo.pipeline`; stages in parallel: :mod:`mmlgd.demo.scheduler`;
the command line: :mod:`mmlgd.cli.run_demo`.
"""
import sys

from mmlgd.cli.run_demo import main

if __name__ == '__main__':
    sys.exit(main())
