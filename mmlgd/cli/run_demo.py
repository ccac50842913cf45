"""``tools/run_demo.py``: the whole LGD pipeline on real Fashion-MNIST
images, offline, on CPU (:func:`mmlgd.demo.run`)."""
import argparse
import os.path as osp
import shlex

from .errors import Interrupted, cli_main
from .parser import make_parser


def build_parser() -> argparse.ArgumentParser:
    from mmlgd.demo import pipeline, plan, scheduler
    default = [st.name for st in plan.stage_list(
        plan.make_settings(False))] + ['report']
    parser = make_parser(
        pipeline.__doc__.splitlines()[0] + ' The data (data/) and every '
        'output (work_dirs/) go under the current directory; the configs are '
        "the package's own.",
        'stages of a default run, in order (STAGE for --only and '
        '--redo; other --seeds change the _s<seed> suffixes): '
        + ' '.join(default))
    parser.add_argument('--quick', action='store_true',
                        help='reduced sizes and schedules (CI smoke run)')
    parser.add_argument('--work-dir', help='default work_dirs/demo'
                        ' (work_dirs/demo-quick with --quick)')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help='seeds for the student runs (mean and spread '
                        'are reported when more than one)')
    who = parser.add_mutually_exclusive_group()
    who.add_argument('--students', nargs='+', metavar='NAME',
                     choices=sorted(plan.PRETRAIN_CFGS),
                     help='pre-trained students (default: '
                     f'{" ".join(plan.DEFAULT_STUDENTS)})')
    who.add_argument('--baselines', action='store_true',
                     help='compare LGD with every language-free student: '
                     f'--students {" ".join(plan.BASELINE_STUDENTS)} '
                     '(BINGO\'s bags are built once from the teacher)')
    parser.add_argument('--transfer-fractions', type=float, nargs='+',
                        metavar='F', help='fractions of the training '
                        'scenes to train on, one regime each (default '
                        f'{plan.DEFAULT["transfer_fractions"]}; 1.0 adds the '
                        'full-data regime)')
    parser.add_argument('--transfer-seeds', type=int, nargs='+',
                        metavar='SEED', help='seeds whose students are '
                        'transferred (default: all --seeds)')
    parser.add_argument('--transfer-backbone', choices=plan.TRANSFER_BACKBONE,
                        help='frozen: the transferred backbone keeps its '
                        'weights and BN statistics, only neck and heads '
                        'train (default); finetune: all layers train')
    parser.add_argument('--teacher-cache', type=int, metavar='N',
                        help='also pre-train LGD from a cache of N teacher '
                        'views per image (built once) and compare it with '
                        'the online run at the same epochs')
    parser.add_argument('--only', nargs='+', metavar='STAGE',
                        help='run only these stages (their inputs must '
                        "exist); add 'report' to rewrite report.md")
    parser.add_argument('--redo', nargs='+', metavar='STAGE', default=[],
                        help="re-run these stages even if done ('all')")
    auto = scheduler.default_jobs()
    parser.add_argument('--jobs', type=int, default=0,
                        help='stages at a time, each in its own process '
                        '(logs in WORK_DIR/logs); 0 (the default, the '
                        'setting of the committed report): one per core, '
                        f'as memory allows ({auto} here), and 1 with '
                        '--quick (its stages are shorter than a process '
                        'start); 1 runs them one after another in this '
                        'process')
    parser.add_argument('--threads', type=int, default=None,
                        help='intra-op threads per stage (default: cores // '
                        'jobs, at least 1); a stage\'s result depends on it, '
                        'not on --jobs')
    parser.add_argument('--fmnist-src', default=None,
                        help='folder with the Fashion-MNIST idx files '
                        '(default: Debian\'s dataset-fashion-mnist)')
    return parser


def choices(args: argparse.Namespace) -> dict:
    """The run's choices beyond sizes and seeds, as
    :func:`mmlgd.demo.plan.make_settings` takes them (``students``,
    ``transfer_fractions``, ``transfer_seeds``, ``teacher_cache``,
    ``transfer_backbone``).

    Args:
        args (argparse.Namespace): from :func:`build_parser`.
    """
    from mmlgd.demo import plan
    return dict(students=args.students or (
        plan.BASELINE_STUDENTS if args.baselines else None),
        transfer_fractions=args.transfer_fractions,
        transfer_seeds=args.transfer_seeds,
        teacher_cache=args.teacher_cache,
        transfer_backbone=args.transfer_backbone)


def settings_of_command(command: str) -> dict:
    """The settings (:func:`mmlgd.demo.plan.make_settings`) of a finished
    run, from the command its report and ``results.json`` record.

    Args:
        command (str): e.g. ``'python tools/run_demo.py --baselines
            --seeds 0 1 2 3 4'``.

    Raises:
        ValueError: not a ``tools/run_demo.py`` command, or one whose
            options this version does not accept.
    """
    from mmlgd.demo import plan
    argv = shlex.split(command)
    if len(argv) < 2 or osp.basename(argv[1]) != 'run_demo.py':
        raise ValueError(f'{command!r} is not a tools/run_demo.py command; '
                         "pass the results.json a demo run wrote.")
    try:
        args = build_parser().parse_args(argv[2:])
    except SystemExit:
        raise ValueError(f'{command!r}: options this version of '
                         'tools/run_demo.py does not accept.') from None
    return plan.make_settings(args.quick, args.seeds, args.fmnist_src,
                              **choices(args))


def run(args) -> dict:
    """Run the demo as ``tools/run_demo.py`` does; returns
    :func:`mmlgd.demo.run`'s result (the report's summary, or the stages
    run with ``--only``).

    Args:
        args (argparse.Namespace | Sequence[str]): from
            :func:`build_parser`, or the command line to parse with it.

    Raises:
        ValueError: see :func:`mmlgd.demo.run`.
        Interrupted: Ctrl-C (names the incomplete stages; finished results
            are kept).
    """
    from mmlgd.demo import pipeline, scheduler
    if not isinstance(args, argparse.Namespace):
        args = build_parser().parse_args(args)
    try:
        return pipeline.run(args.quick, args.work_dir, args.seeds, args.only,
                            args.redo, args.fmnist_src, args.jobs,
                            args.threads, **choices(args))
    except scheduler.Interrupted as err:
        raise Interrupted(
            'Finished results are kept; incomplete (run again on the next '
            f'call): {", ".join(err.incomplete) or "none"}.') from None


@cli_main(parser=build_parser)
def main(args):
    run(args)
