"""``report.md`` of the demo: result tables and PNG plots."""
import glob
import json
import os.path as osp
import statistics

from mmlgd.utils.fileio import atomic_write_json, atomic_write_text
from mmlgd.utils.markdown import md_table

VARIANTS = [('lgd', 'LGD (w_tex = w_vis = 0.5)'),
            ('lgd-image-only', 'LGD image-only ablation (w_tex = 0)'),
            ('lgd-text-only', 'LGD text-only ablation (w_vis = 0)')]


def _get(ctx, name, key):
    try:
        return ctx.result(name)['metrics'][key]
    except (OSError, KeyError):
        return None


def _fmt(values, scale=1.0):
    values = [v * scale for v in values if v is not None]
    if not values:
        return 'n/a'
    if len(values) == 1:
        return f'{values[0]:.1f}'
    return (f'{statistics.mean(values):.1f} ± '
            f'{statistics.stdev(values):.1f} (n={len(values)})')


def _scalars(work_dir, stage):
    """Rows of the newest ``vis_data/scalars.json`` a stage wrote."""
    files = sorted(glob.glob(osp.join(work_dir, stage, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        return []
    with open(files[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def classification_rows(ctx):
    seeds = ctx.settings['seeds']
    zs_key, lp_key = 'accuracy/top1', 'accuracy/top1'
    rows = [('Teacher: text-aligned ResNet-18, 10k labels',
             _fmt([_get(ctx, 'zs_teacher', zs_key)]), '-'),
            ('Student, random init (no pre-training)',
             _fmt([_get(ctx, 'zs_random', zs_key)]),
             _fmt([_get(ctx, 'probe_random', lp_key)]))]
    for variant, label in VARIANTS:
        names = [f'{variant}_s{s}' for s in seeds]
        rows.append((f'Student, {label}',
                     _fmt([_get(ctx, f'zs_{n}', zs_key) for n in names]),
                     _fmt([_get(ctx, f'probe_{n}', lp_key) for n in names])))
    return rows


def transfer_rows(ctx):
    rows = []
    for init, label in (('lgd', 'LGD student'), ('random', 'random init')):
        rows.append((label,
                     _fmt([_get(ctx, f'det_{init}', 'coco/bbox_mAP')], 100),
                     _fmt([_get(ctx, f'det_{init}', 'coco/segm_mAP')], 100),
                     _fmt([_get(ctx, f'seg_{init}', 'mIoU')])))
    return rows


def write_report(ctx):
    from .plots import embedding_map, per_class_plot, training_curves
    s = ctx.settings
    wd = ctx.work_dir
    seed0 = s['seeds'][0]
    figs = {
        'curves': training_curves(
            wd, ['teacher'] + [f'{v}_s{seed0}' for v, _ in VARIANTS],
            _scalars),
        'per_class': per_class_plot(ctx, seed0),
        'embedding': embedding_map(ctx, f'lgd_s{seed0}'),
    }
    results = {p: json.load(open(p)) for p in sorted(glob.glob(
        osp.join(wd, 'results', '*.json')))}
    wall = sum(r.get('wall_s', 0) for r in results.values())
    stage_rows = [(osp.basename(p)[:-5], f'{r.get("wall_s", 0):.0f}')
                  for p, r in results.items() if 'wall_s' in r]
    cls_rows = classification_rows(ctx)
    tr_rows = transfer_rows(ctx)
    md = [
        '# LGD on Fashion-MNIST: report',
        '',
        f'Settings: {"quick (reduced)" if s["quick"] else "default"}; '
        f'seeds {s["seeds"]}; sum of stage wall times {wall / 60:.1f} min '
        '(2-core CPU). Command: `python tools/run_demo.py'
        f'{" --quick" if s["quick"] else ""}`.',
        '',
        '## Classification (Fashion-MNIST test set, top-1 %)',
        '',
        f'Zero-shot: cosine to the TSB of the 10 class names (MiniLM, 80 '
        f'templates), logits 100 z L^T. Linear probe: frozen backbone, '
        f'linear head trained on 1,000 labelled images '
        f'({s["probe_epochs"]} epochs). LGD students are pre-trained on '
        f'{s["lgd_images"] or 20000} unlabelled images for '
        f'{s["lgd_epochs"]} epochs; the teacher on '
        f'{s["teacher_images"] or 10000} labelled images for '
        f'{s["teacher_epochs"]} epochs. Chance is 10%.',
        '',
        md_table(['model', 'zero-shot top-1', 'linear probe top-1 (1k)'],
               cls_rows),
        '',
        '## Transfer to Fashion-MNIST scenes (validation scenes)',
        '',
        f'{s["n_scenes_train"]} training / {s["n_scenes_val"]} validation '
        f'scenes (128x128, 2-5 items); batch 8, the same schedule for both '
        f'inits: Mask R-CNN {s["det_iters"]} iterations, UperNet '
        f'{s["seg_iters"]}. Reduced for 2 CPU cores: Mask R-CNN with '
        'FPN/RPN/RoI widths 64, 64 sampled anchors and RoIs per image, a '
        '2-conv mask head and one anchor scale; UperNet with decode width '
        '64, no auxiliary head and background down-weighted (0.2) in the '
        'loss. Metrics from mmdet CocoMetric / mmseg IoUMetric via '
        'tools/test.py.',
        '',
        md_table(['backbone init', 'bbox mAP (%)', 'segm mAP (%)', 'mIoU (%)'],
               tr_rows),
        '',
        '## Plots',
        '',
    ]
    for key, title in (('curves', 'Training curves'),
                       ('per_class', 'Per-category zero-shot accuracy'),
                       ('embedding', 'Student embeddings with TSB and VSB '
                        'anchors (PCA)')):
        if figs[key]:
            md += [f'### {title}', '', f'![{title}]({figs[key]})', '']
    md += ['## Stage wall times (s)', '',
           md_table(['stage', 'wall s'], stage_rows), '']
    atomic_write_text(osp.join(wd, 'report.md'), '\n'.join(md))
    summary = dict(
        classification=[dict(zip(['model', 'zero_shot', 'linear_probe'], r))
                        for r in cls_rows],
        transfer=[dict(zip(['init', 'bbox_mAP', 'segm_mAP', 'mIoU'], r))
                  for r in tr_rows],
        metrics={osp.basename(p)[:-5]: r.get('metrics', {})
                 for p, r in results.items()},
        figures=figs, stage_wall_s=wall)
    atomic_write_json(osp.join(wd, 'results.json'), summary)
    return dict(metrics={}, figures=figs)

