"""Zero-shot (open-vocabulary) classification with a distilled LGD student.

    python tools/infer.py IMAGE_OR_FOLDER... --checkpoint LGD_CKPT
        [--config CFG] [--classes "sneaker,sandal,boot" | fashion_mnist |
        names.txt] [--templates openai] [--topk 5] [--batch-size 32]
        [--out preds.json [--force]] [--device cpu]

Prints a table of the top-k categories; ``--out`` writes them as JSON.
The logic is :func:`mmlgd.apis.infer_images`.
"""
import argparse
import sys

from mmlgd.apis import infer_images, parse_classes, parse_templates


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
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
    parser.add_argument('--topk', type=int, default=5)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--out', help='write the predictions as JSON here')
    parser.add_argument('--force', action='store_true',
                        help='overwrite --out if it exists')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--tsb-cache-dir', help='TSB cache folder')
    args = parser.parse_args(argv)
    args.classes = parse_classes(args.classes)
    args.templates = parse_templates(args.templates)
    return args


def main(argv=None):
    args = parse_args(argv)
    model, ckpt = ((args.config, args.checkpoint) if args.config else
                   (args.checkpoint, None))
    return infer_images(args.images, model, ckpt,
                        classes=args.classes,
                        templates=args.templates, topk=args.topk,
                        batch_size=args.batch_size, out=args.out,
                        force=args.force, device=args.device,
                        tsb_cache_dir=args.tsb_cache_dir)


if __name__ == '__main__':
    try:
        main()
    except (ValueError, OSError, RuntimeError) as err:
        sys.exit(f'error: {err}')
