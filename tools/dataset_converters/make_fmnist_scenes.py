"""Fashion-MNIST scenes: detection/segmentation data from real Fashion-MNIST.

    python tools/dataset_converters/make_fmnist_scenes.py \
        [--fmnist data/fashion_mnist] [--out data/fmnist_scenes] \
        [--n-train 2000] [--n-val 500] [--canvas 128] [--items 2 5] \
        [--seed 0] [--force]

Scenes and output layout: :mod:`mmlgd.datasets.fashion_mnist.scenes`.
"""
import sys

from mmlgd.cli.make_fmnist_scenes import main

if __name__ == '__main__':
    sys.exit(main())
