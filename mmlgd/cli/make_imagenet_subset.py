"""``tools/dataset_converters/make_imagenet_subset.py``: seeded per-class
ImageNet-1k training subsets
(:func:`mmlgd.datasets.class_subsets.make_imagenet_subset`)."""
from mmlgd.datasets.class_subsets import make_imagenet_subset

from .errors import cli_main
from .parser import add_force, add_seed, make_parser


def build_parser():
    parser = make_parser('Seeded per-class ImageNet-1k training subsets')
    parser.add_argument('num_per_class', type=int,
                        help='images per class (13: 1%%, 128: 10%%)')
    parser.add_argument('--train-dir', default='data/imagenet/train',
                        help='one folder per class (WordNet ids)')
    parser.add_argument('--out', default=None,
                        help='annotation file to write (default: '
                        'data/imagenet/meta/train_<N>-per-class_seed<S>.txt)')
    add_seed(parser, 'base')
    parser.add_argument('--num-classes', type=int, default=1000,
                        help='expected number of class folders')
    add_force(parser, 'the list')
    return parser


@cli_main(parser=build_parser)
def main(args):
    out = args.out or ('data/imagenet/meta/train_'
                       f'{args.num_per_class}-per-class_seed{args.seed}.txt')
    n = make_imagenet_subset(args.train_dir, out, args.num_per_class,
                             args.seed, args.num_classes, args.force)
    print(f'{out}: {n} images')
