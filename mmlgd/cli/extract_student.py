"""``tools/extract_student.py``: export the student backbone of an LGD
pre-training checkpoint (:func:`mmlgd.apis.extract_student.extract_student`).
"""
from mmlgd.apis.extract_student import FORMATS, extract_student

from .errors import cli_main
from .parser import add_force, make_parser


def build_parser():
    parser = make_parser(
        'Export the student backbone of an LGD checkpoint.')
    parser.add_argument('src', help='LGD pre-training checkpoint')
    parser.add_argument('dst', help='output backbone checkpoint')
    parser.add_argument(
        '--format', default='mmpretrain', choices=FORMATS,
        help="key naming: 'mmpretrain' keeps 'backbone.*', 'torchvision' "
        'gives torchvision ResNet names without prefix')
    add_force(parser, 'DST')
    return parser


@cli_main(parser=build_parser)
def main(args):
    info = extract_student(args.src, args.dst, args.format, args.force)
    print(f"Wrote {info['path']}: {info['num_tensors']} tensors, "
          f"format={info['format']}, sha256={info['sha256']}")
