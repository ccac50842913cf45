"""Build a BINGO config's neighbour file (each training image's k nearest
images in the teacher's embedding space).

    python tools/bingo_neighbours.py CONFIG [--k K] [--force]

Behaviour: :mod:`mmlgd.apis.bingo_neighbours`; the command line:
:mod:`mmlgd.cli.bingo_neighbours`.
"""
import sys

from mmlgd.cli.bingo_neighbours import main

if __name__ == '__main__':
    sys.exit(main())
