"""Seeded Caltech-256 train/val lists (the paper's CT-256 protocol).

    python tools/dataset_converters/split_caltech256.py \
        [--image-dir data/caltech256/256_ObjectCategories] \
        [--out-dir data/caltech256/meta] [--num-train 60] [--seed 0] [--force]

For each of the 256 object classes (257.clutter excluded) draws 60 random
images for train.txt and lists the rest in val.txt (as the authors'
tools/make-caltech-trainval.py, but seeded, and as lists instead of copies).
A missing class folder is an error naming it; existing lists are kept unless
--force. Logic: mmlgd.datasets.class_subsets.split_caltech256.
"""
import sys

from mmlgd.cli.split_caltech256 import main

if __name__ == '__main__':
    sys.exit(main())
