"""``tools/dataset_converters/split_caltech256.py``: seeded Caltech-256
train/val lists (:func:`mmlgd.datasets.class_subsets.split_caltech256`)."""
from mmlgd.datasets.class_subsets import split_caltech256

from .errors import cli_main
from .parser import add_force, add_seed, make_parser


def build_parser():
    parser = make_parser(
        "Seeded Caltech-256 train/val lists (the paper's CT-256 protocol)")
    parser.add_argument('--image-dir',
                        default='data/caltech256/256_ObjectCategories',
                        help='one folder per class (001.ak47 ... 256.toad)')
    parser.add_argument('--out-dir', default='data/caltech256/meta',
                        help='folder for train.txt and val.txt')
    parser.add_argument('--num-train', type=int, default=60,
                        help='training images per class')
    add_seed(parser, 'base')
    add_force(parser, 'the lists')
    return parser


@cli_main(parser=build_parser)
def main(args):
    n_train, n_val = split_caltech256(args.image_dir, args.out_dir,
                                      args.num_train, args.seed, args.force)
    print(f'{args.out_dir}: train.txt {n_train} images, val.txt {n_val}')
