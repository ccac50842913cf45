"""``tools/dataset_converters/prepare_fashion_mnist.py``: the disjoint,
seeded Fashion-MNIST splits (:func:`mmlgd.datasets.fashion_mnist.splits.
prepare`)."""
from mmlgd.datasets.fashion_mnist.idx import DEBIAN_DIR

from .errors import cli_main
from .parser import add_force, add_seed, make_parser


def build_parser():
    p = make_parser('Lay Fashion-MNIST out as disjoint, seeded splits for '
                    'the mmlgd pipeline.')
    p.add_argument('--src', default=DEBIAN_DIR,
                   help='folder with the four idx files (gz or raw)')
    p.add_argument('--out', default='data/fashion_mnist',
                   help='output root (one folder per split + splits.json)')
    add_seed(p, 'split')
    p.add_argument('--n-teacher', type=int, default=10000,
                   help="images of the labelled 'teacher' split")
    p.add_argument('--n-pretrain', type=int, default=20000,
                   help="images of the unlabelled 'pretrain' split")
    p.add_argument('--probe-sizes', type=int, nargs='*', default=[1000, 5000],
                   help='sizes of the nested linear-probe splits')
    add_force(p, 'an existing, different output')
    return p


@cli_main(parser=build_parser)
def main(a):
    from mmlgd.datasets.fashion_mnist.splits import prepare
    s = prepare(a.src, a.out, a.seed, a.n_teacher, a.n_pretrain,
                a.probe_sizes, a.force)
    state = 'up to date, skipped' if s['skipped'] else 'written'
    print(f"{s['out']}: {state} in {s['seconds']} s (seed {s['seed']})")
    for name, info in s['splits'].items():
        print(f"  {name:10s} {info['size']:6d} images  "
              f"labels={info['labels']:6s}  {info['path']}")
    for n in s['notes']:
        print(f'  note: {n}')
