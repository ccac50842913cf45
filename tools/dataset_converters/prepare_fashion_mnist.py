"""Lay Fashion-MNIST out as disjoint, seeded splits for the mmlgd pipeline.

    python tools/dataset_converters/prepare_fashion_mnist.py [--src DIR]
        [--out data/fashion_mnist] [--seed 0] [--n-teacher 10000]
        [--n-pretrain 20000] [--probe-sizes 1000 5000] [--force]

Splits, layout and checks: :mod:`mmlgd.datasets.fashion_mnist.splits`.
"""
import sys

from mmlgd.cli.prepare_fashion_mnist import main

if __name__ == '__main__':
    sys.exit(main())
