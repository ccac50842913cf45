"""``tools/analysis_tools/compare_demo_runs.py``: the demo report's paired
verdicts side by side over independent runs
(:func:`mmlgd.demo.across_runs.across_runs`)."""
import json
import os.path as osp

from .errors import cli_main
from .parser import add_force, make_parser


def build_parser():
    p = make_parser("The demo report's paired comparisons side by side over "
                    'two or more finished runs, and whether each verdict '
                    '("separated" or not) held in all of them.')
    p.add_argument('results', nargs='+', metavar='RESULTS_JSON',
                   help="each run's results.json (written next to its "
                   'report.md)')
    p.add_argument('--labels', nargs='+', metavar='LABEL',
                   help="column titles, one per run (default: each file's "
                   'folder name)')
    p.add_argument('--out', help='write the markdown here (atomically) '
                   'instead of printing it')
    add_force(p, '--out')
    return p


@cli_main(parser=build_parser)
def main(args):
    from mmlgd.demo.across_runs import SavedRun, across_runs

    from .run_demo import settings_of_command
    labels = args.labels or [osp.basename(osp.dirname(osp.abspath(p)))
                             for p in args.results]
    if len(labels) != len(args.results):
        raise ValueError(f'--labels gives {len(labels)} label(s) for '
                         f'{len(args.results)} results file(s); give one '
                         'per file.')
    runs = []
    for path, label in zip(args.results, labels):
        with open(path, encoding='utf-8') as f:
            summary = json.load(f)
        if 'command' not in summary:
            raise ValueError(f'{path}: no "command"; pass the results.json '
                             'that tools/run_demo.py writes next to '
                             'report.md.')
        runs.append(SavedRun(summary, settings_of_command(summary['command']),
                             label))
    text = across_runs(runs)
    if args.out:
        from mmlgd.utils.fileio import atomic_write_text
        atomic_write_text(args.out, text, force=args.force)
        print(f'wrote {args.out}')
    else:
        print(text)
