"""Train any mmlgd / mmpretrain / mmdet / mmseg config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--teacher-cache DIR] [--cfg-options k=v ...]
        [--launcher pytorch]

Flags: :mod:`mmlgd.cli.train`; behaviour: :mod:`mmlgd.apis.train`.
"""
import sys

from mmlgd.cli.train import main

if __name__ == '__main__':
    sys.exit(main())
