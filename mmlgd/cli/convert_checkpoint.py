"""``tools/misc/convert_checkpoint.py``: make a *trusted* plain-mmengine
checkpoint load with ``weights_only=True``
(:func:`mmlgd.apis.convert_checkpoint.convert_checkpoint`)."""
from mmlgd.apis.convert_checkpoint import convert_checkpoint

from .errors import CliError, cli_main
from .parser import add_force, make_parser


def build_parser():
    parser = make_parser(
        'Convert a trusted mmengine checkpoint so that it loads with '
        'torch.load(weights_only=True).')
    parser.add_argument('src', help='input checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint (.pth)')
    parser.add_argument(
        '--trust', action='store_true',
        help='confirm that SRC is trusted: it is unpickled with '
        'weights_only=False, which can execute code stored in the file')
    add_force(parser, 'DST')
    return parser


@cli_main(parser=build_parser)
def main(args):
    if not args.trust:
        raise CliError(f'refusing to unpickle {args.src!r} with '
                       'weights_only=False: that executes any code stored '
                       'in the file. Pass --trust if you trust it.')
    convert_checkpoint(args.src, args.dst, force=args.force)
    print(f'wrote {args.dst} (loads with weights_only=True)')
