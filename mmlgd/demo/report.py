"""``report.md`` of the demo: result tables (:mod:`.tables`), PNG plots
(:mod:`.plots`) and the stage wall times; ``results.json`` with the same
numbers."""
import datetime
import glob
import json
import os.path as osp
import re
from collections import Counter

from mmlgd.utils.fileio import atomic_write_json, atomic_write_text
from mmlgd.utils.markdown import md_table

from . import plan, tables


def sep_note(n: int) -> str:
    """The note under every table of paired differences.

    Args:
        n (int): the number of seeds paired.
    """
    return (
        'Paired differences pair the runs of the same seed (same '
        'pre-training data order, same transfer seed): mean ± std of the '
        'differences, and the two-sided paired t-test p-value. "separated" '
        f'means p < 0.05; with n = {n} seeds only large, consistent '
        'differences pass it, a "not separated" difference may still be '
        'real, and a verdict near p = 0.05 is not a finding until a second, '
        'independent run repeats it.')


def header(s, today: str = None) -> list:
    """The report's first lines: title, settings, command and the date.

    Args:
        s (dict): the run's settings (:func:`.plan.make_settings`).
        today (str, optional): ISO date to print (default: today, UTC).
    """
    today = today or datetime.datetime.now(
        datetime.timezone.utc).date().isoformat()
    return [
        '# LGD on Fashion-MNIST: report', '',
        f'Settings: {"quick (reduced)" if s["quick"] else "default"}; '
        f'seeds {s["seeds"]}. Command: `{command(s)}`. Written on {today} '
        '(UTC).', '']


BACKBONE_NOTE = dict(
    frozen='backbone frozen (weights and BatchNorm statistics as '
    'pre-trained; only the FPN/decoder and heads train, the dense analogue '
    'of the linear probe)',
    finetune='backbone fine-tuned with the heads')


def command(s) -> str:
    """The ``tools/run_demo.py`` command line that gives settings ``s``."""
    args = [' --quick'] if s['quick'] else []
    base = plan.make_settings(s['quick'])
    if s['seeds'] != base['seeds']:
        args.append(' --seeds ' + ' '.join(map(str, s['seeds'])))
    if list(s['students']) == list(plan.BASELINE_STUDENTS):
        args.append(' --baselines')
    elif s['students'] != base['students']:
        args.append(' --students ' + ' '.join(s['students']))
    if s['transfer_fractions'] != base['transfer_fractions']:
        args.append(' --transfer-fractions '
                    + ' '.join(map(str, s['transfer_fractions'])))
    if s['transfer_seeds'] != s['seeds']:
        args.append(' --transfer-seeds '
                    + ' '.join(map(str, s['transfer_seeds'])))
    if s.get('teacher_cache'):
        args.append(f' --teacher-cache {s["teacher_cache"]}')
    if s['transfer_backbone'] != base['transfer_backbone']:
        args.append(f' --transfer-backbone {s["transfer_backbone"]}')
    return 'python tools/run_demo.py' + ''.join(args)


STAGE_TIME_HEAD = ['stage', 'runs', 'start-up s', 'train s', 'eval s',
                   '(metric s)', 'mean s', 'total s']
STAGE_TIME_NOTE = (
    'Per stage group (the stage name without its seed): the mean over its '
    'runs of start-up (process start and imports when the stage ran in its '
    'own process, config parsing, model, dataset and dataloader building, '
    'checkpoint loading; for the data stages all of their work), training, '
    'and evaluation (test loop and metric; the metric computation alone in '
    'brackets), from mmengine hook points; then the mean and total wall '
    'time. - : a result from before the profile was recorded.')


def stage_time_rows(results: dict) -> list:
    """Time per stage group (a stage name without its ``_s<seed>``): runs,
    mean start-up / train / eval / metric seconds (``profile`` of each
    result), mean and total wall seconds."""
    groups = {}
    for path, r in results.items():
        if 'wall_s' in r:
            name = re.sub(r'_s\d+$', '', osp.basename(path)[:-5])
            groups.setdefault(name, []).append(r)
    rows = []
    for name, rs in sorted(groups.items()):
        wall = [r['wall_s'] for r in rs]
        profs = [r.get('profile') for r in rs]
        cells = ['-'] * 4
        if all(profs):
            cells = [f'{sum(p[k] for p in profs) / len(profs):.1f}'
                     for k in ('startup_s', 'train_s', 'eval_s', 'metric_s')]
            cells[3] = f'({cells[3]})'
        rows.append((name, len(rs), *cells, f'{sum(wall) / len(wall):.0f}',
                     f'{sum(wall):.0f}'))
    return rows


def wall_line(stage_s: float, wall: dict = None) -> str:
    """The report's time line: the sum of all stage times and, when this
    call ran stages, its wall time with ``--jobs`` / threads.

    Args:
        stage_s (float): sum of the stages' wall seconds (all results).
        wall (dict, optional): ``wall_s``, ``jobs``, ``threads``, ``ran``
            (stages run by this call) and ``stage_s`` (their sum).
    """
    line = f'Sum of stage times {stage_s / 60:.1f} min'
    if wall and wall['ran']:
        line += (f'; wall time of the call that wrote this report '
                 f'{wall["wall_s"] / 60:.1f} min for the {wall["ran"]} '
                 f'stage(s) it ran (their sum {wall["stage_s"] / 60:.1f} '
                 f'min), --jobs {wall["jobs"]}, {wall["threads"]} '
                 'thread(s) per stage')
    return line + '.'


def machines_line(results: dict) -> str:
    """Which CPUs and thread counts computed the run's stages. A stage's
    numbers depend on both (float summation order), and a resumed run may
    span machines, so the report says so.

    Args:
        results (dict): result path -> result (those with a ``profile``
            count; ``cpu`` is torch's CPU capability, e.g. ``AVX2``).

    Returns:
        str: e.g. ``Stages computed on: AVX2 CPU at 1 thread(s): 12.``
    """
    counts = Counter(
        (r['profile'].get('cpu'), r['profile'].get('threads'))
        for r in results.values() if r.get('profile'))
    parts = [f'{cpu} CPU at {threads} thread(s): {n}' if cpu else
             f'CPU not recorded (result from before it was), {threads} '
             f'thread(s): {n}'
             for (cpu, threads), n in sorted(
                 counts.items(), key=lambda kv: tuple(map(str, kv[0])))]
    line = 'Stages computed on: ' + ('; '.join(parts) or 'none') + '.'
    if len({cpu for cpu, _ in counts if cpu}) > 1:
        line += (' The results come from more than one kind of machine: '
                 'the same seeds give slightly different numbers on each.')
    return line


WALL_HEAD = ['run', '--jobs', 'threads per stage', 'wall min',
             'sum of stage times min', 'wall / first row']


def wall_rows(summaries: dict) -> list:
    """The wall-time-against-``--jobs`` table from the ``results.json`` of
    complete runs (each in its own work dir, started from nothing).

    Args:
        summaries (dict): label -> a ``results.json`` summary (its
            ``wall`` and ``stage_wall_s``), first the reference run.
    """
    rows, first = [], None
    for label, sm in summaries.items():
        w = sm['wall']
        first = first or w['wall_s']
        rows.append((label, w['jobs'], w['threads'],
                     f'{w["wall_s"] / 60:.1f}',
                     f'{sm["stage_wall_s"] / 60:.1f}',
                     f'{w["wall_s"] / first:.2f}'))
    return rows


def _transfer_section(ctx, s):
    md = [
        '## Transfer to Fashion-MNIST scenes (validation scenes)', '',
        f'{s["n_scenes_train"]} training / {s["n_scenes_val"]} validation '
        'scenes (128x128, 2-5 items). Each regime trains on the first '
        'fraction of the training scenes with the same budget for every '
        f'init, {BACKBONE_NOTE[s["transfer_backbone"]]}: batch 8, Mask '
        f'R-CNN {s["det_iters"]} iterations, UperNet '
        f'{s["seg_iters"]}. Each pre-trained init is the student of seed s, '
        'trained with seed s; random init uses seed s for its weights; '
        f'seeds {s["transfer_seeds"]}. Reduced for 2 CPU cores: Mask R-CNN '
        'with FPN/RPN/RoI widths 64, 64 sampled anchors and RoIs per image, '
        'a 2-conv mask head and one anchor scale; UperNet with decode width '
        '64, no auxiliary head and background down-weighted (0.2) in the '
        'loss. Metrics from mmdet CocoMetric / mmseg IoUMetric via '
        'tools/test.py.', '']
    heads = [m for _, _, _, m in tables.TRANSFER]
    for fraction in s['transfer_fractions']:
        n = plan.scene_count(s, fraction)
        md += [f'### {fraction:.0%} of the training scenes ({n})', '',
               md_table(['backbone init'] + [f'{h} (%)' for h in heads],
                        tables.transfer_rows(ctx, fraction)), '',
               'Paired differences (points):', '',
               md_table(['comparison'] + heads,
                        tables.transfer_comparisons(ctx, fraction)), '']
    return md


def _cache_section(ctx, s):
    cache = ctx.result('teacher_cache')
    return [
        '## Pre-training from the teacher-embedding cache', '',
        f'LGD pre-trained from a cache of {s["teacher_cache"]} seeded views '
        f'per image (`tools/cache_teacher.py`, built once: '
        f'{cache["wall_s"]:.0f} s, {cache["bytes"] / 2**20:.1f} MiB) against '
        f'the online run, both for {s["lgd_epochs"]} epochs with the same '
        'seeds. Wall time is the pre-training stage alone (the cache build '
        'is not in it). See docs/teacher_cache.md for the trade-off.', '',
        md_table(['pre-training', 'wall s', 'zero-shot top-1',
                  'linear probe top-1 (1k)'], tables.cache_rows(ctx)), '']


def write_report(ctx):
    from .plots import embedding_map, per_class_plot, training_curves
    s = ctx.settings
    wd = ctx.work_dir
    seed0 = s['seeds'][0]
    figs = {
        'curves': training_curves(
            wd, ['teacher'] + [f'{v}_s{seed0}' for v in s['students']],
            tables._scalars),
        'per_class': per_class_plot(ctx, seed0),
        'embedding': embedding_map(ctx, f'lgd_s{seed0}'),
    }
    results = {p: json.load(open(p)) for p in sorted(glob.glob(
        osp.join(wd, 'results', '*.json')))}
    wall = sum(r.get('wall_s', 0) for r in results.values())
    run_wall = getattr(ctx, 'wall', None)
    cls_rows = tables.classification_rows(ctx)
    md = [
        *header(s),
        wall_line(wall, run_wall),
        '',
        machines_line(results),
        '',
        '## Classification (Fashion-MNIST test set, top-1 %)',
        '',
        f'Zero-shot: cosine to the TSB of the 10 class names (MiniLM, 80 '
        f'templates), logits 100 z L^T (SEED and BINGO students through '
        f'their projector, which maps into the teacher space). Linear probe: '
        f'frozen backbone, linear head trained on 1,000 labelled images '
        f'({s["probe_epochs"]} epochs). Students are pre-trained with the '
        f'same teacher, data and schedule on '
        f'{s["lgd_images"] or 20000} unlabelled images for '
        f'{s["lgd_epochs"]} epochs, one run per seed; the teacher on '
        f'{s["teacher_images"] or 10000} labelled images for '
        f'{s["teacher_epochs"]} epochs. Chance is 10%.',
        '',
        md_table(['model', 'zero-shot top-1', 'linear probe top-1 (1k)'],
                 cls_rows),
        '',
        'Paired differences (points):',
        '',
        md_table(['comparison', 'zero-shot top-1', 'linear probe top-1'],
                 tables.classification_comparisons(ctx)),
        '',
        sep_note(len(s['seeds'])),
        '',
        *_transfer_section(ctx, s),
        *(_cache_section(ctx, s) if s.get('teacher_cache') else []),
        '## Plots',
        '',
    ]
    for key, title in (('curves', 'Training curves'),
                       ('per_class', 'Per-category zero-shot accuracy'),
                       ('embedding', 'Student embeddings with TSB and VSB '
                        'anchors (PCA)')):
        if figs[key]:
            md += [f'### {title}', '', f'![{title}]({figs[key]})', '']
    md += ['## Stage times (s)', '', STAGE_TIME_NOTE, '',
           md_table(STAGE_TIME_HEAD, stage_time_rows(results)), '',
           wall_line(wall, run_wall), '']
    atomic_write_text(osp.join(wd, 'report.md'), '\n'.join(md))
    summary = dict(
        command=command(s),
        classification=[dict(zip(['model', 'zero_shot', 'linear_probe'], r))
                        for r in cls_rows],
        transfer={f'{f:g}': [dict(zip(['init', 'bbox_mAP', 'segm_mAP',
                                       'mIoU'], r))
                             for r in tables.transfer_rows(ctx, f)]
                  for f in s['transfer_fractions']},
        metrics={osp.basename(p)[:-5]: r.get('metrics', {})
                 for p, r in results.items()},
        figures=figs, stage_wall_s=wall, wall=run_wall)
    atomic_write_json(osp.join(wd, 'results.json'), summary)
    return dict(metrics={}, figures=figs)
