"""Evaluate a checkpoint with any mmlgd / mmpretrain / mmdet / mmseg config.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out R.pkl]
        [--show-dir DIR] [--cfg-options k=v ...] [--launcher pytorch]

Flags: :mod:`mmlgd.cli.test`; behaviour: :mod:`mmlgd.apis.test`.
"""
import sys

from mmlgd.cli.test import main

if __name__ == '__main__':
    sys.exit(main())
