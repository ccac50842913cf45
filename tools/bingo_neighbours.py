"""Build a BINGO config's neighbour file (each training image's k nearest
images in the teacher's embedding space).

    python tools/bingo_neighbours.py CONFIG [--k K] [--force]

Behaviour: :mod:`mmlgd.apis.bingo_neighbours`.
"""
from mmlgd.apis.bingo_neighbours import main

if __name__ == '__main__':
    main()
