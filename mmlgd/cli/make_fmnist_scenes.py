"""``tools/dataset_converters/make_fmnist_scenes.py``: detection /
segmentation scenes from Fashion-MNIST items
(:func:`mmlgd.datasets.fashion_mnist.scenes.make_scenes`)."""
from .errors import cli_main
from .parser import add_force, add_seed, make_parser


def build_parser():
    p = make_parser('Fashion-MNIST scenes: detection/segmentation data from '
                    'real Fashion-MNIST.')
    p.add_argument('--fmnist', default='data/fashion_mnist',
                   help='output folder of prepare_fashion_mnist.py')
    p.add_argument('--out', default='data/fmnist_scenes',
                   help='output folder of the scenes')
    p.add_argument('--n-train', type=int, default=2000,
                   help='training scenes')
    p.add_argument('--n-val', type=int, default=500,
                   help='validation scenes')
    p.add_argument('--canvas', type=int, default=128,
                   help='scene side, pixels (>= 42)')
    p.add_argument('--items', type=int, nargs=2, default=[2, 5],
                   metavar=('MIN', 'MAX'), help='items per scene')
    add_seed(p, 'scene')
    add_force(p, 'an existing, different output')
    return p


@cli_main(parser=build_parser)
def main(a):
    from mmlgd.datasets.fashion_mnist.scenes import make_scenes
    s = make_scenes(a.fmnist, a.out, a.n_train, a.n_val, a.canvas,
                    tuple(a.items), a.seed, a.force)
    state = ('up to date, skipped' if s['skipped'] else
             f"written ({s['instances']} instances)")
    print(f"{s['out']}: {s['scenes']} scenes {state} in {s['seconds']} s")
