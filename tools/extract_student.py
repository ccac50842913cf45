"""Export the student backbone of an LGD pre-training checkpoint.

    python tools/extract_student.py LGD_CKPT OUT.pth [--format mmpretrain]
        [--force]

Formats (mmpretrain ``backbone.*`` names, or torchvision ResNet names) and
the output file: :mod:`mmlgd.apis.extract_student`.
"""
import sys

from mmlgd.cli.extract_student import main

if __name__ == '__main__':
    sys.exit(main())
