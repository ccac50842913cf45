"""``tools/analysis_tools/benchmark.py``: benchmark LGD's hot paths and
write ``docs/benchmark.md`` (:func:`mmlgd.benchmark.run`)."""
import os
import sys

from .errors import cli_main
from .parser import make_parser


def build_parser():
    from mmlgd.benchmark import SECTIONS, SETTINGS
    from mmlgd.benchmark.runner import DEFAULT_OUT
    p = make_parser("Benchmark LGD's hot paths and write docs/benchmark.md.")
    p.add_argument('--quick', action='store_true',
                   help='tiny sizes and few repeats (CI smoke test)')
    p.add_argument('--out', default=DEFAULT_OUT, help='markdown output')
    p.add_argument('--device', default=None,
                   help="'cuda' or 'cpu' (default: cuda if available)")
    p.add_argument('--sections', nargs='+', default=list(SECTIONS),
                   choices=SECTIONS, help='what to run')
    p.add_argument('--settings', nargs='+', default=None, choices=SETTINGS,
                   help='step / fast-path settings (default: both; with '
                   '--quick only the embedded one)')
    p.add_argument('--tsb-templates', default=None,
                   help="template set for the cold TSB build ('simple' by "
                   "default: 'openai' is 80k prompts, tens of minutes on a "
                   'small CPU)')
    p.add_argument('--threads', type=int, default=None,
                   help='torch.set_num_threads (default: torch\'s own; '
                   '1 with --quick)')
    return p


@cli_main
def main(argv=None):
    from mmlgd.benchmark import run
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    os.environ.setdefault('HF_HUB_OFFLINE', '1')  # this process only
    run(argv=argv, **vars(args))
