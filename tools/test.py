"""Evaluate a checkpoint with any mmlgd / mmpretrain / mmdet / mmseg config.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out R.pkl]
        [--show-dir DIR] [--cfg-options k=v ...] [--launcher pytorch]

Flags and behaviour: :mod:`mmlgd.apis.test`.
"""
from mmlgd.apis.test import main

if __name__ == '__main__':
    main()
