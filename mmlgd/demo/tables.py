"""The demo report's tables: results per student and seed (mean ± std),
and paired differences between methods (:mod:`.compare`)."""
import glob
import json
import os.path as osp

from .compare import fmt, paired, paired_cell
from .plan import transfer_inits, transfer_stage

LABELS = {
    'lgd': 'LGD (w_tex = w_vis = 0.5)',
    'lgd-image-only': 'LGD image-only ablation (w_tex = 0)',
    'lgd-text-only': 'LGD text-only ablation (w_vis = 0)',
    'seed': 'SEED baseline (instance queue, no text; tau_t = 1e-4)',
    'seed-tt0.01': 'SEED at LGD\'s teacher temperature (tau_t = 0.01)',
    'bingo': 'BINGO baseline (bags of neighbours, no text)',
    'lgd-cached': 'LGD from the teacher cache',
    'random': 'random init',
}
ZS, LP = 'accuracy/top1', 'accuracy/top1'
# Paired comparisons beyond LGD minus each other student (when both ran):
# SEED's teacher temperature alone (the same method at LGD's 0.01 minus
# its code's 1e-4).
EXTRA_PAIRS = (('seed-tt0.01', 'seed'),)
TRANSFER = (('det', 'coco/bbox_mAP', 100, 'bbox mAP'),
            ('det', 'coco/segm_mAP', 100, 'segm mAP'),
            ('seg', 'mIoU', 1, 'mIoU'))


def _get(ctx, name, key):
    try:
        return ctx.result(name)['metrics'][key]
    except (OSError, KeyError):
        return None


def _scalars(work_dir, stage):
    """Rows of the newest ``vis_data/scalars.json`` a stage wrote."""
    files = sorted(glob.glob(osp.join(work_dir, stage, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        return []
    with open(files[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def _variants(ctx):
    s = ctx.settings
    return list(s['students']) + (['lgd-cached'] if s.get('teacher_cache')
                                  else [])


def _per_seed(ctx, stage, key, seeds):
    return [_get(ctx, stage.format(s=s), key) for s in seeds]


def classification_rows(ctx):
    seeds = ctx.settings['seeds']
    rows = [('Teacher: text-aligned ResNet-18, 10k labels',
             fmt([_get(ctx, 'zs_teacher', ZS)]), '-'),
            ('Student, random init (no pre-training)',
             fmt([_get(ctx, 'zs_random', ZS)]),
             fmt([_get(ctx, 'probe_random', LP)]))]
    for v in _variants(ctx):
        rows.append((f'Student, {LABELS[v]}',
                     fmt(_per_seed(ctx, f'zs_{v}_s{{s}}', ZS, seeds)),
                     fmt(_per_seed(ctx, f'probe_{v}_s{{s}}', LP, seeds))))
    return rows


def _pairs(ctx, a_fmt, b_fmt, key, seeds, scale=1.0):
    return paired(_per_seed(ctx, a_fmt, key, seeds),
                  _per_seed(ctx, b_fmt, key, seeds), scale)


def _extra_pairs(variants):
    return [(a, b) for a, b in EXTRA_PAIRS if a in variants and b in variants]


CLS_METRICS = ('zero-shot top-1', 'linear probe top-1')


def classification_pairs(ctx):
    """Paired comparisons (same seeds) of LGD minus each other student,
    then :data:`EXTRA_PAIRS`: ``[(label, [zero-shot, linear probe])]``,
    each a :func:`.compare.paired` dict (metrics :data:`CLS_METRICS`)."""
    seeds = ctx.settings['seeds']
    variants = _variants(ctx)
    pairs = [('lgd', o) for o in variants if o != 'lgd'] if \
        'lgd' in variants else []
    return [(('LGD' if a == 'lgd' else LABELS[a]) + f' - {LABELS[b]}',
             [_pairs(ctx, f'{k}_{a}_s{{s}}', f'{k}_{b}_s{{s}}', key, seeds)
              for k, key in (('zs', ZS), ('probe', LP))])
            for a, b in pairs + _extra_pairs(variants)]


def classification_comparisons(ctx):
    """:func:`classification_pairs` as table rows (label, cells)."""
    return [(label, *map(paired_cell, cmps))
            for label, cmps in classification_pairs(ctx)]


def transfer_rows(ctx, fraction):
    s = ctx.settings
    seeds = s['transfer_seeds']
    rows = []
    for init in transfer_inits(s):
        cells = [fmt(_per_seed(ctx, transfer_stage(task, fraction, init,
                                                   '{s}'), key, seeds), sc)
                 for task, key, sc, _ in TRANSFER]
        rows.append((LABELS[init], *cells))
    return rows


def transfer_pairs(ctx, fraction):
    """Paired comparisons (same seeds) of each pre-trained init minus random
    init, of LGD minus the other pre-trained inits, then
    :data:`EXTRA_PAIRS`: ``[(label, [one per metric of TRANSFER])]``, each
    a :func:`.compare.paired` dict in points.

    Args:
        ctx: the run (``settings`` and ``result(stage)``).
        fraction (float): the transfer regime (fraction of the scenes).
    """
    s = ctx.settings
    seeds = s['transfer_seeds']
    inits = transfer_inits(s)
    pairs = [(a, 'random') for a in inits if a != 'random']
    if 'lgd' in inits:
        pairs += [('lgd', b) for b in inits if b not in ('lgd', 'random')]
    pairs += _extra_pairs(inits)
    return [(f'{LABELS[a]} - {LABELS[b]}',
             [_pairs(ctx, transfer_stage(task, fraction, a, '{s}'),
                     transfer_stage(task, fraction, b, '{s}'), key, seeds, sc)
              for task, key, sc, _ in TRANSFER])
            for a, b in pairs]


def transfer_comparisons(ctx, fraction):
    """:func:`transfer_pairs` as table rows (label, cells)."""
    return [(label, *map(paired_cell, cmps))
            for label, cmps in transfer_pairs(ctx, fraction)]


def cache_rows(ctx):
    """Online vs cached LGD at the same epochs: pre-training wall time and
    accuracy per seed, and their paired differences."""
    seeds = ctx.settings['seeds']

    def wall(v):
        out = []
        for sd in seeds:
            try:
                out.append(ctx.result(f'{v}_s{sd}')['wall_s'])
            except (OSError, KeyError):
                out.append(None)
        return out
    rows = []
    for v in ('lgd', 'lgd-cached'):
        rows.append((LABELS[v], fmt(wall(v)),
                     fmt(_per_seed(ctx, f'zs_{v}_s{{s}}', ZS, seeds)),
                     fmt(_per_seed(ctx, f'probe_{v}_s{{s}}', LP, seeds))))
    rows.append(('cached - online (paired)',
                 paired_cell(paired(wall('lgd-cached'), wall('lgd'))),
                 *[paired_cell(_pairs(ctx, f'{k}_lgd-cached_s{{s}}',
                                      f'{k}_lgd_s{{s}}', key, seeds))
                   for k, key in (('zs', ZS), ('probe', LP))]))
    return rows
