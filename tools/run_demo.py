"""The whole LGD pipeline on real Fashion-MNIST images, offline, on CPU.

    python tools/run_demo.py [--quick] [--work-dir DIR] [--seeds 0 1 2]
                             [--only STAGE ...] [--redo STAGE ...]

Stages (each skipped on re-run once its result file exists and its settings
are unchanged): prepare data -> scenes -> text-aligned teacher -> LGD and the
two ablations -> zero-shot and linear-probe evaluation of every student (and
a random-init one) -> Mask R-CNN and UperNet fine-tunes (LGD vs random init)
-> ``report.md`` with tables and plots. ``--quick`` runs a reduced version
(a few minutes) into ``work_dirs/demo-quick``.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, osp.join(ROOT, 'tools'))

from demo_lib import plan, stages  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true',
                        help='reduced sizes and schedules (CI smoke run)')
    parser.add_argument('--work-dir', help='default work_dirs/demo'
                        ' (work_dirs/demo-quick with --quick)')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help='seeds for the student runs (mean and spread '
                        'are reported when more than one)')
    parser.add_argument('--only', nargs='+', metavar='STAGE',
                        help='run only these stages (and what they need)')
    parser.add_argument('--redo', nargs='+', metavar='STAGE', default=[],
                        help="re-run these stages even if done ('all')")
    parser.add_argument('--fmnist-src', default=None,
                        help='folder with the Fashion-MNIST idx files '
                        '(default: Debian\'s dataset-fashion-mnist)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    os.chdir(ROOT)
    settings = plan.make_settings(args.quick, args.seeds, args.fmnist_src)
    work_dir = args.work_dir or (
        'work_dirs/demo-quick' if args.quick else 'work_dirs/demo')
    todo = plan.stage_list(settings)
    if args.only:
        unknown = set(args.only) - {s.name for s in todo} - {'report'}
        if unknown:
            raise SystemExit(f'Unknown stage(s) {sorted(unknown)}; stages: '
                             f'{[s.name for s in todo]}')
    ctx = stages.Context(work_dir=work_dir, settings=settings,
                         redo=set(args.redo))
    start = time.time()
    print(f'[demo] {len(todo)} stages into {work_dir} '
          f'({"quick" if args.quick else "default"} settings)', flush=True)
    for i, stage in enumerate(todo, 1):
        if args.only and stage.name not in args.only:
            continue
        stages.run_stage(ctx, stage, i, len(todo))
    total = time.time() - start
    if not args.only or 'report' in args.only:
        stages.run_stage(ctx, plan.Stage('report', 'report', {}), len(todo),
                         len(todo), force=True)
    print(f'[demo] done in {total / 60:.1f} min; report: '
          f'{osp.join(work_dir, "report.md")}', flush=True)
    return json.load(open(osp.join(work_dir, 'results.json')))


if __name__ == '__main__':
    main()
