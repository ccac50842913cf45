"""``tools/analysis_tools/teacher_cache_curve.py``: LGD online vs from
caches of N views (:func:`mmlgd.teacher_cache.curve.run_curve`)."""
import os.path as osp

from .errors import cli_main
from .parser import make_parser


def build_parser():
    from mmlgd.teacher_cache.curve import DEFAULT
    p = make_parser('LGD online vs from caches of N views: accuracy and '
                    'wall time at a fixed epoch budget.')
    p.add_argument('--views', type=int, nargs='+', default=DEFAULT['views'],
                   help='cache sizes N (stored views per image)')
    p.add_argument('--epochs', type=int, default=DEFAULT['epochs'],
                   help='pre-training epochs of every run')
    p.add_argument('--images', type=int, default=DEFAULT['images'],
                   help='unlabelled training images')
    p.add_argument('--seeds', type=int, nargs='+', default=DEFAULT['seeds'],
                   help='seeds of every run')
    p.add_argument('--work-dir', default='work_dirs/teacher_cache_curve',
                   help='where the (resumable) stages write')
    p.add_argument('--out', default='docs/teacher_cache_curve.md',
                   help='markdown report; the plot goes next to it (.png)')
    p.add_argument('--quick', action='store_true',
                   help="the demo's quick teacher / probe / test settings")
    return p


@cli_main(parser=build_parser)
def main(args):
    from mmlgd.teacher_cache.curve import run_curve
    out = osp.abspath(args.out)
    run_curve(args.work_dir, out, osp.splitext(out)[0] + '.png', args.quick,
              args.views, args.epochs, args.images, args.seeds)
