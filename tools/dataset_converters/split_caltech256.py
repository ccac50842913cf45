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
import argparse

from mmlgd.datasets.class_subsets import split_caltech256


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--image-dir',
                        default='data/caltech256/256_ObjectCategories')
    parser.add_argument('--out-dir', default='data/caltech256/meta')
    parser.add_argument('--num-train', type=int, default=60)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true',
                        help='replace existing lists')
    args = parser.parse_args(argv)
    n_train, n_val = split_caltech256(args.image_dir, args.out_dir,
                                      args.num_train, args.seed, args.force)
    print(f'{args.out_dir}: train.txt {n_train} images, val.txt {n_val}')


if __name__ == '__main__':
    main()
