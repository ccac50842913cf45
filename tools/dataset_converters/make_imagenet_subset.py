"""Seeded per-class ImageNet-1k training subsets (the paper's 1% / 10%).

    python tools/dataset_converters/make_imagenet_subset.py 13 \
        [--train-dir data/imagenet/train] [--out FILE] [--seed 0] [--force]

Draws N random images of every class folder (13 -> 1%, 128 -> 10%, as the
authors' tools/make-imgnet-subset.py, but seeded) and writes an mmpretrain
annotation file (default data/imagenet/meta/train_<N>-per-class_seed<S>.txt)
atomically; an existing file is kept unless --force. Logic:
:mod:`mmlgd.datasets.class_subsets`.
"""
import sys

from mmlgd.cli.make_imagenet_subset import main

if __name__ == '__main__':
    sys.exit(main())
