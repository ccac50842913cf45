"""``tools/build_tsb.py``: build (and cache) the TSB of a run, for its own
or new category names (:func:`mmlgd.apis.build_tsb.build_tsb`)."""
import argparse

from mmlgd.apis.build_tsb import build_tsb
from mmlgd.apis.infer import parse_classes, parse_templates

from .errors import cli_main
from .parser import add_cfg_options, make_parser


def build_parser():
    parser = make_parser(
        'Build (and cache) the TSB of a run, for its own or new category '
        'names; optionally write it as a plain .npy')
    parser.add_argument('config', help='a config, or an LGD checkpoint '
                        '(its config is read from the file)')
    parser.add_argument(
        '--classes', help='category names instead of the run\'s: comma-'
        'separated, a text file (one name per line) or a known set')
    parser.add_argument('--templates', nargs='+', help="'openai', 'simple' "
                        "or prompt strings with {} (default: the run's)")
    parser.add_argument('--out', help='also write the TSB as this .npy '
                        '(float32, (K, D), unit rows) and the names as the '
                        'same path with .txt')
    parser.add_argument('--force', action='store_true',
                        help='overwrite --out (and its .txt) if they exist')
    add_cfg_options(parser)
    return parser


def run(args: argparse.Namespace):
    """Parsed ``tools/build_tsb.py`` arguments: build the TSB, print its
    shape, key, encoder, cache file and the files written; returns the
    :class:`~mmlgd.models.text.TextualSemanticsBank`.

    Args:
        args (argparse.Namespace): from :func:`build_parser`.

    Raises:
        see :func:`build_tsb`.
    """
    tsb, written = build_tsb(args.config, parse_classes(args.classes),
                             parse_templates(args.templates), args.out,
                             args.force, args.cfg_options)
    print(f'TSB shape: {tuple(tsb.weight.shape)} (K classes x D dims)')
    print(f'key: {tsb.key}')
    print(f'encoder: {tsb.encoder_identity}')
    print(f'cache: {tsb.cache_path}')
    for path in written:
        print(f'wrote: {path}')
    return tsb


@cli_main(parser=build_parser, extra=(KeyError,))
def main(args):
    run(args)
