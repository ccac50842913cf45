"""``tools/bingo_neighbours.py``: build a BINGO config's neighbour file
(:func:`mmlgd.apis.bingo_neighbours.build_neighbours`)."""
from .errors import cli_main
from .parser import add_cfg_options, add_force, make_parser


def build_parser():
    parser = make_parser(
        "Build a BINGO config's neighbour file (each training image's k "
        "nearest images in the teacher's embedding space).")
    parser.add_argument('config', help='the BINGO config')
    parser.add_argument('--k', type=int, default=None,
                        help='neighbours per image (default: the config\'s '
                        'num_neighbours)')
    parser.add_argument('--out', default=None,
                        help='neighbour file (default: the config\'s '
                        'neighbour_file)')
    parser.add_argument('--cache-dir', default=None,
                        help='one-view teacher cache folder (default: '
                        'OUT.teacher-cache)')
    parser.add_argument('--batch-size', type=int, default=64,
                        help='images per teacher forward pass')
    add_force(parser, 'the neighbour file (and its cache)')
    add_cfg_options(parser)
    return parser


@cli_main(parser=build_parser, extra=(KeyError,))
def main(args):
    from mmlgd.apis.bingo_neighbours import build_neighbours
    from mmlgd.apis.runner_setup import load_config
    cfg = load_config(args.config, args.cfg_options)
    import mmlgd  # noqa: F401  registers modules
    path = build_neighbours(cfg, args.k, args.out, args.cache_dir,
                            args.batch_size, args.force)
    print(f'BINGO neighbours: {path}')
