"""The whole LGD pipeline on real Fashion-MNIST images, offline, on CPU.

    python tools/run_demo.py [--quick] [--work-dir DIR] [--seeds 0 1 2]
                             [--students lgd lgd-image-only seed ...]
                             [--transfer-fractions 0.1 1.0]
                             [--transfer-seeds 0 1] [--teacher-cache N]
                             [--transfer-backbone frozen|finetune]
                             [--only STAGE ...] [--redo STAGE ...]

Stages (each skipped on re-run once its result file exists and its settings
are unchanged): prepare data -> scenes -> text-aligned teacher -> students
pre-trained with the same teacher, data, schedule and seeds (LGD, its
image-only ablation and the SEED baseline; the text-only ablation with
``--students``; LGD from a teacher-embedding cache with ``--teacher-cache``)
-> zero-shot and linear-probe evaluation of every student (and a random-init
one) -> Mask R-CNN and UperNet trained on every init and seed, on a fraction
of the training scenes (10%: the low-data regime), with the backbone frozen
(default) or fine-tuned -> ``report.md``
with tables (mean ± std over seeds, paired differences) and plots.
``--quick`` runs a reduced version (a few minutes) into
``work_dirs/demo-quick``. ``--only`` runs the named stages (their inputs
must exist from an earlier run) and prints where their results are; the
report is written only when ``report`` is among them.

``--jobs N`` runs up to N independent stages at a time, each in its own
process with ``--threads`` intra-op threads (:mod:`.scheduler`). Configs
are the ones shipped with the package
(:func:`mmlgd.utils.configs.config_path`); ``data/`` and ``work_dirs/`` are
made under the current directory, as every OpenMMLab tool does.
"""
import json
import os.path as osp
import time
from typing import Optional, Sequence

from . import plan, scheduler, stages
from .results import run_stage


def resolve_jobs(jobs: int, quick: bool) -> int:
    """Stages at a time for ``--jobs``: ``jobs`` itself when >= 1; for 0
    (automatic), :func:`scheduler.default_jobs`, except with ``quick``:
    1, because its stages (about 5 s each on 2 cores) are shorter than the
    start of a stage process (5-7 s), so running them in parallel was
    1.5x slower there (docs/demo/speed.md).

    Raises:
        ValueError: ``jobs`` < 0.
    """
    if jobs < 0:
        raise ValueError(f'--jobs must be >= 0 (0: automatic), got {jobs}.')
    if jobs:
        return jobs
    return 1 if quick else scheduler.default_jobs()


def run(quick: bool = False, work_dir: Optional[str] = None,
        seeds: Optional[Sequence[int]] = None,
        only: Optional[Sequence[str]] = None, redo: Sequence[str] = (),
        fmnist_src: Optional[str] = None, jobs: int = 1,
        threads: Optional[int] = None, **choices) -> dict:
    """Run the demo's stages (paths relative to the current directory).

    Args:
        quick (bool): the reduced settings (:data:`plan.QUICK`).
        work_dir (str, optional): output folder; default
            ``work_dirs/demo`` (``-quick``).
        seeds (Sequence[int], optional): seeds of the student runs.
        only (Sequence[str], optional): run only these stages;
            ``'report'`` writes the report too.
        redo (Sequence[str]): stages to re-run although done (``'all'``).
        fmnist_src (str, optional): folder with the idx files.
        jobs (int): stages at a time (:func:`scheduler.run_stages`); 0:
            automatic (:func:`resolve_jobs`).
        threads (int, optional): intra-op threads per stage.
        **choices: ``students``, ``transfer_fractions``, ``transfer_seeds``,
            ``teacher_cache``, ``transfer_backbone`` of
            :func:`plan.make_settings`.

    Returns:
        dict: with the report, the summary it writes (``results.json``:
        ``classification``, ``transfer``, ``metrics``, ``wall``, ...); with
        ``only`` and no report, ``dict(ran=[stage names], results={stage:
        path of its result json}, work_dir=...)``.

    Raises:
        ValueError: an unknown stage name in ``only``, a missing input of
            an ``only`` stage, or a bad choice (see
            :func:`plan.make_settings`).
        scheduler.Interrupted: Ctrl-C (finished results are kept).
    """
    settings = plan.make_settings(quick, seeds, fmnist_src, **choices)
    work_dir = work_dir or ('work_dirs/demo-quick' if quick
                            else 'work_dirs/demo')
    todo = plan.stage_list(settings)
    names = [s.name for s in todo]
    if only:
        unknown = set(only) - set(names) - {'report'}
        if unknown:
            raise ValueError(f'Unknown stage(s) {sorted(unknown)}; stages: '
                             f"{names} and 'report'.")
    jobs = resolve_jobs(jobs, quick)
    if threads is not None and threads < 1:
        raise ValueError(f'--threads must be >= 1, got {threads}.')
    ctx = stages.Context(work_dir=work_dir, settings=settings,
                         redo=set(redo))
    start = time.time()
    print(f'[demo] {len(todo)} stages into {work_dir} '
          f'({"quick" if quick else "default"} settings)', flush=True)
    try:
        ran = scheduler.run_stages(ctx, todo, stages.RUNNERS, only, jobs,
                                   threads)
    except FileNotFoundError as err:
        if not only:
            raise
        raise ValueError(_missing_input(err)) from None
    except KeyboardInterrupt:  # one job: the stage ran in this process
        raise scheduler.Interrupted(sorted(n for n in names if osp.exists(
            ctx.mark_path(n)))) from None
    total = time.time() - start
    ctx.wall = dict(wall_s=round(total, 1), jobs=jobs,
                    threads=threads or max(1, scheduler.cores() // jobs),
                    ran=len(ran), stage_s=round(sum(
                        ctx.result(n)['wall_s'] for n in ran), 1))
    if not only or 'report' in only:
        run_stage(ctx, plan.Stage('report', 'report', {}), stages.RUNNERS,
                  len(todo), len(todo), force=True)
        print(f'[demo] done in {total / 60:.1f} min; report: '
              f'{osp.join(work_dir, "report.md")}', flush=True)
        with open(osp.join(work_dir, 'results.json')) as f:
            return json.load(f)
    results = {n: ctx.result_path(n) for n in ran}
    print(f'[demo] ran {len(ran)} stage(s) in {total / 60:.1f} min: '
          f'{", ".join(ran)}; results: '
          f'{osp.join(work_dir, "results", "<stage>.json")} (no report:'
          " add 'report' to --only, or run without --only)", flush=True)
    return dict(ran=ran, results=results, work_dir=work_dir)


def _missing_input(err: FileNotFoundError) -> str:
    """The message for a stage run with ``--only`` whose input is missing:
    names the file and, for another stage's result, that stage."""
    path = err.filename or str(err)
    need = osp.splitext(osp.basename(str(path)))[0]
    hint = (f"run '--only {need}' first" if osp.basename(osp.dirname(
        str(path))) == 'results' else 'run the stages before it first')
    stage = getattr(err, 'demo_stage', '?')
    return (f'Stage {stage!r} needs {path}, which an earlier stage writes: '
            f'{hint} (same --quick/--work-dir), or run without --only.')
