"""Seeded per-class ImageNet-1k training subsets (the paper's 1% / 10%).

    python tools/dataset_converters/make_imagenet_subset.py 13 \
        [--train-dir data/imagenet/train] [--out FILE] [--seed 0] [--force]

Draws N random images of every class folder (13 -> 1%, 128 -> 10%, as the
authors' tools/make-imgnet-subset.py, but seeded) and writes an mmpretrain
annotation file (default data/imagenet/meta/train_<N>-per-class_seed<S>.txt)
atomically; an existing file is kept unless --force. Logic:
mmlgd.datasets.class_subsets.make_imagenet_subset.
"""
import argparse

from mmlgd.datasets.class_subsets import make_imagenet_subset


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('num_per_class', type=int,
                        help='images per class (13: 1%%, 128: 10%%)')
    parser.add_argument('--train-dir', default='data/imagenet/train')
    parser.add_argument('--out', default=None)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-classes', type=int, default=1000)
    parser.add_argument('--force', action='store_true',
                        help='replace an existing list')
    args = parser.parse_args(argv)
    out = args.out or ('data/imagenet/meta/train_'
                       f'{args.num_per_class}-per-class_seed{args.seed}.txt')
    n = make_imagenet_subset(args.train_dir, out, args.num_per_class,
                             args.seed, args.num_classes, args.force)
    print(f'{out}: {n} images')


if __name__ == '__main__':
    main()
