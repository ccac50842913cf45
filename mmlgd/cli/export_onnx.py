"""``tools/deployment/export_onnx.py``: export a distilled LGD student to
ONNX, verified with onnxruntime (:func:`mmlgd.deployment.export_onnx`)."""
import argparse

from mmlgd.apis.infer import parse_classes, parse_templates
from mmlgd.deployment.onnx_export import PARTS, export_onnx

from .errors import cli_main
from .parser import make_parser


def build_parser():
    parser = make_parser(
        'Export a distilled LGD student to ONNX, verified with onnxruntime')
    parser.add_argument('checkpoint', help='LGD pre-training checkpoint '
                        '(a tools/extract_student.py file for --part '
                        'backbone)')
    parser.add_argument('out', help='output .onnx file')
    parser.add_argument('--part', choices=PARTS, default='zero-shot',
                        help='what to export: student + projector + TSB '
                        '(logits), the pooled backbone, or the text encoder')
    parser.add_argument('--config', help='config, when the checkpoint '
                        'stores none')
    parser.add_argument('--classes', help='zero-shot categories: comma-'
                        'separated names, a file or a known set (default: '
                        "the run's)")
    parser.add_argument('--templates', nargs='+', help="'openai', 'simple' "
                        "or prompt strings with {} (default: the run's)")
    parser.add_argument('--input-size', type=int, nargs=2,
                        metavar=('H', 'W'),
                        help="input height and width (default: the run's "
                        'test pipeline)')
    parser.add_argument('--opset', type=int,
                        help="ONNX opset (default: the installed onnx's "
                        'newest)')
    parser.add_argument('--fp16', action='store_true',
                        help='float16 weights (float32 input and output)')
    parser.add_argument('--force', action='store_true',
                        help='overwrite OUT if it exists')
    parser.add_argument('--tsb-cache-dir', help='TSB cache folder')
    return parser


def run(args: argparse.Namespace) -> dict:
    """Parsed ``export_onnx.py`` arguments: export, print a summary and
    return the export report (:func:`export_onnx`).

    Args:
        args (argparse.Namespace): from :func:`build_parser`.

    Raises:
        see :func:`export_onnx`.
    """
    model, ckpt = ((args.config, args.checkpoint) if args.config else
                   (args.checkpoint, None))
    report = export_onnx(model, args.out, ckpt, part=args.part,
                         classes=parse_classes(args.classes),
                         templates=parse_templates(args.templates),
                         input_size=args.input_size, opset=args.opset,
                         fp16=args.fp16, force=args.force,
                         tsb_cache_dir=args.tsb_cache_dir)
    print(f"Exported {report['part']} to {report['path']} (opset "
          f"{report['opset']}, input {report['input_shape']} with dynamic "
          f"batch); onnxruntime matches PyTorch: max |diff| "
          f"{report['max_abs_diff']:.2e} <= {report['atol']:g}"
          + (f", top-1 equal: {report['top1_equal']}"
             if 'top1_equal' in report else ''))
    return report


@cli_main(parser=build_parser)
def main(args):
    run(args)
