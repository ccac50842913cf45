"""``tools/infer.py``: zero-shot classification of image files with a
distilled LGD student (:func:`mmlgd.apis.infer.infer_images`)."""
import argparse

from mmlgd.apis.infer import infer_images, parse_classes, parse_templates

from .errors import cli_main
from .parser import make_parser


def _positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be >= 1, got {value}')
    return value


def build_parser():
    parser = make_parser(
        'Zero-shot classification with a distilled LGD student')
    parser.add_argument('images', nargs='+',
                        help='image files and/or folders of images')
    parser.add_argument('--checkpoint', required=True,
                        help='full LGD pre-training checkpoint (holds the '
                        'student, the projector and the run config)')
    parser.add_argument('--config', help='config, when the checkpoint '
                        'stores none (default: the one in the checkpoint)')
    parser.add_argument(
        '--classes', help='comma-separated category names, a text file '
        '(one name per line) or a known set (fashion_mnist, imagenet1k, '
        "coco...); default: the run's own classes")
    parser.add_argument('--templates', nargs='+', help="'openai', 'simple' "
                        "or prompt strings with {} (default: the run's)")
    parser.add_argument('--topk', type=_positive_int, default=5,
                        help='categories shown per image (>= 1)')
    parser.add_argument('--batch-size', type=int, default=32,
                        help='images per forward pass')
    parser.add_argument('--out', help='write the predictions as JSON here')
    parser.add_argument('--force', action='store_true',
                        help='overwrite --out if it exists')
    parser.add_argument('--device', default='cpu',
                        help='torch device to run on')
    parser.add_argument('--tsb-cache-dir', help='TSB cache folder')
    parser.add_argument('--skip-bad', action='store_true',
                        help='skip image files that cannot be read and list '
                        'them at the end (default: stop at the first, '
                        'naming it)')
    return parser


def run(args: argparse.Namespace) -> list:
    """Parsed ``tools/infer.py`` arguments -> :func:`infer_images`'s rows.

    Args:
        args (argparse.Namespace): from :func:`build_parser`.

    Raises:
        FileNotFoundError: a ``--classes`` names file that does not exist;
            see :func:`infer_images` for the rest.
    """
    model, ckpt = ((args.config, args.checkpoint) if args.config else
                   (args.checkpoint, None))
    return infer_images(args.images, model, ckpt,
                        classes=parse_classes(args.classes),
                        templates=parse_templates(args.templates),
                        topk=args.topk, batch_size=args.batch_size,
                        out=args.out, force=args.force, device=args.device,
                        tsb_cache_dir=args.tsb_cache_dir,
                        skip_bad=args.skip_bad)


@cli_main(parser=build_parser)
def main(args):
    run(args)
