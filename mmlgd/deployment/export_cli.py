"""The command line of ``tools/deployment/export_onnx.py`` (the export
itself is :func:`mmlgd.deployment.export_onnx`)."""
import argparse
import sys

from mmlgd.apis import parse_classes, parse_templates

from .onnx_export import PARTS, export_onnx


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Export a distilled LGD student to ONNX, verified with '
        'onnxruntime')
    parser.add_argument('checkpoint', help='LGD pre-training checkpoint '
                        '(a tools/extract_student.py file for --part '
                        'backbone)')
    parser.add_argument('out', help='output .onnx file')
    parser.add_argument('--part', choices=PARTS, default='zero-shot')
    parser.add_argument('--config', help='config, when the checkpoint '
                        'stores none')
    parser.add_argument('--classes', help='zero-shot categories: comma-'
                        'separated names, a file or a known set (default: '
                        "the run's)")
    parser.add_argument('--templates', nargs='+')
    parser.add_argument('--input-size', type=int, nargs=2,
                        metavar=('H', 'W'))
    parser.add_argument('--opset', type=int,
                        help="default: the installed onnx's newest")
    parser.add_argument('--fp16', action='store_true')
    parser.add_argument('--force', action='store_true',
                        help='overwrite OUT if it exists')
    parser.add_argument('--tsb-cache-dir')
    args = parser.parse_args(argv)
    args.classes = parse_classes(args.classes)
    args.templates = parse_templates(args.templates)
    return args


def main(argv=None) -> dict:
    """``tools/deployment/export_onnx.py ARGV``; returns the export report."""
    args = parse_args(argv)
    model, ckpt = ((args.config, args.checkpoint) if args.config else
                   (args.checkpoint, None))
    report = export_onnx(model, args.out, ckpt, part=args.part,
                         classes=args.classes,
                         templates=args.templates,
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



def cli(argv=None) -> dict:
    """:func:`main` with bad input turned into ``error: ...`` and exit
    status 1 instead of a traceback."""
    try:
        return main(argv)
    except (ValueError, OSError, RuntimeError, ImportError) as err:
        sys.exit(f'error: {err}')
