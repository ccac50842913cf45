"""Make a *trusted* third-party mmengine checkpoint loadable safely.

    python tools/misc/convert_checkpoint.py IN.pth OUT.pth --trust [--force]

Loads IN once with ``weights_only=False`` (runs any code the file holds:
trusted files only). Details: :mod:`mmlgd.apis.convert_checkpoint`.
"""
import sys

from mmlgd.cli.convert_checkpoint import main

if __name__ == '__main__':
    sys.exit(main())
