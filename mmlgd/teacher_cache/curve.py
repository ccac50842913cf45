"""The cache's trade-off curve (issue 23, item 4): accuracy and wall time of
LGD pre-trained online vs from caches of N views, at a fixed epoch budget.

On the embedded Fashion-MNIST setup (the demo's teacher, configs, zero-shot
and linear-probe evaluation; :mod:`mmlgd.demo`): pre-train LGD on the first
``images`` unlabelled images for ``epochs`` epochs, online and from a cache
of each N in ``views``, with every seed; evaluate each student; write a
markdown report (mean ± std, paired tests against online by seed, wall time
with and without the cache build, the break-even epoch count, bytes per
image per view) and a plot. Run by ``tools/analysis_tools/
teacher_cache_curve.py`` (command line:
:mod:`mmlgd.cli.teacher_cache_curve`); stages are resumable like the demo's.
"""
import os.path as osp
import statistics
from typing import Optional, Sequence

from ..demo import plan, stages
from ..demo.compare import fmt, paired, paired_cell
from ..demo.results import run_stage
from ..utils.fileio import atomic_write_text

DEFAULT = dict(views=(1, 2, 4), epochs=8, images=5000, seeds=(0, 1, 2))
LABELS = dict(zs='zero-shot', probe='linear probe', wall='pre-training wall')


def curve_settings(quick: bool = False, **overrides) -> dict:
    """The demo's settings (default or quick: teacher, probe, test set)
    plus the curve's ``views``, ``epochs``, ``images``, ``seeds``."""
    s = plan.make_settings(quick)
    s.update(DEFAULT)
    s.update({k: v for k, v in overrides.items() if v is not None})
    s['views'] = sorted(set(s['views']))
    if min(s['views']) < 1 or s['epochs'] < 1 or s['images'] < 1:
        raise ValueError(f'views, epochs and images must be >= 1, got '
                         f'{s["views"]}, {s["epochs"]}, {s["images"]}.')
    return s


def student_names(s) -> list:
    """(name, N or 0 for online, seed) of every pre-training run."""
    return [(f'online_s{seed}', 0, seed) for seed in s['seeds']] + [
        (f'cached{n}v_s{seed}', n, seed)
        for n in s['views'] for seed in s['seeds']]


def curve_stages(s) -> list:
    """Every stage, in order: data, teacher, caches, pre-training runs,
    their zero-shot and linear-probe evaluations."""
    by_name = {x.name: x for x in plan.stage_list(s)}
    out = [by_name['data'], by_name['teacher']]
    for n in s['views']:
        out.append(plan.Stage(f'cache_{n}v', 'cache', dict(
            config=plan.PRETRAIN_CFGS['lgd'], views=n, images=s['images'],
            seed=0, teacher='teacher')))
    common = dict(epochs=s['epochs'], images=s['images'], teacher='teacher')
    for name, n, seed in student_names(s):
        p = dict(common, seed=seed, config=plan.PRETRAIN_CFGS['lgd'])
        if n:
            p.update(config=plan.CACHED_CFG, cache=f'cache_{n}v', views=n)
        out.append(plan.Stage(name, 'train', p))
    for name, _, seed in student_names(s):
        out.append(plan.Stage(f'zs_{name}', 'zero_shot', dict(
            config=plan.ZS_STUDENT_CFG, student=name,
            images=s['test_images'], seed=seed)))
        out.append(plan.Stage(f'probe_{name}', 'probe', dict(
            config=plan.PROBE_CFG, student=name, epochs=s['probe_epochs'],
            images=s['test_images'], seed=seed)))
    return out


def _metric(ctx, stage):
    return next(v for k, v in ctx.result(stage)['metrics'].items()
                if 'top1' in k or k.endswith('accuracy'))


def summarize(ctx, s) -> dict:
    """Per N (0 = online): per-seed zero-shot / probe top-1, train wall
    seconds, build seconds and bytes; paired differences against online;
    the break-even epoch count in wall time."""
    rows = {}
    for n in [0] + s['views']:
        names = [f'online_s{x}' if not n else f'cached{n}v_s{x}'
                 for x in s['seeds']]
        build = ctx.result(f'cache_{n}v') if n else {}
        rows[n] = dict(
            zs=[_metric(ctx, f'zs_{m}') for m in names],
            probe=[_metric(ctx, f'probe_{m}') for m in names],
            wall=[ctx.result(m)['wall_s'] for m in names],
            build_s=build.get('wall_s', 0.0),
            bytes=build.get('bytes', 0))
    on = rows[0]
    for n in s['views']:
        r = rows[n]
        r['vs_online'] = {k: paired(r[k], on[k]) for k in ('zs', 'probe',
                                                          'wall')}
        saved = (statistics.mean(on['wall']) - statistics.mean(r['wall'])
                 ) / s['epochs']  # seconds saved per epoch
        r['break_even_epochs'] = (r['build_s'] / saved if saved > 0
                                  else None)
        r['bytes_per_image_view'] = r['bytes'] / (s['images'] * n)
    return rows


def write_report(rows: dict, s, out_md: str,
                 out_png: Optional[str] = None) -> str:
    """The markdown (and, with ``out_png``, the plot: accuracy vs N with
    online as a line, and wall time; error bars: std over seeds)."""
    lines = [
        f'Pre-training LGD on {s["images"]} images for {s["epochs"]} '
        f'epochs, seeds {list(s["seeds"])}; mean ± std over seeds, paired '
        'differences against online by seed (two-sided paired t-test).', '',
        '| run | zero-shot top-1 | linear probe top-1 | pre-training wall s '
        '| + cache build s | bytes / image / view | break-even epochs |',
        '|---|---|---|---|---|---|---|',
        f'| online | {fmt(rows[0]["zs"])} | {fmt(rows[0]["probe"])} | '
        f'{fmt(rows[0]["wall"])} | - | 0 | - |']
    for n in s['views']:
        r = rows[n]
        be = r['break_even_epochs']
        lines.append(
            f'| cache, N={n} | {fmt(r["zs"])} | {fmt(r["probe"])} | '
            f'{fmt(r["wall"])} | {r["build_s"]:.1f} | '
            f'{r["bytes_per_image_view"]:.0f} | '
            f'{"never" if be is None else f"{be:.1f}"} |')
    lines += ['', '| cache - online | zero-shot | linear probe | wall s |',
              '|---|---|---|---|']
    for n in s['views']:
        c = rows[n]['vs_online']
        lines.append(f'| N={n} | {paired_cell(c["zs"])} | '
                     f'{paired_cell(c["probe"])} | {paired_cell(c["wall"])} |')
    if out_png:
        lines += ['', f'![accuracy and wall time vs N]'
                  f'({osp.basename(out_png)})']
        _plot(rows, s, out_png)
    text = '\n'.join(lines) + '\n'
    atomic_write_text(out_md, text)
    return text


def _plot(rows, s, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from ..utils.fileio import atomic_open
    ns = s['views']
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, keys in ((axes[0], ('zs', 'probe')), (axes[1], ('wall', ))):
        for k in keys:
            mean = [statistics.mean(rows[n][k]) + (
                rows[n]['build_s'] if k == 'wall' else 0) for n in ns]
            std = [statistics.stdev(rows[n][k]) if len(rows[n][k]) > 1
                   else 0.0 for n in ns]
            what = LABELS[k]
            line = ax.errorbar(ns, mean, yerr=std, fmt='o-', capsize=3,
                               label=f'cache: {what}' + (
                                   ' + build' if k == 'wall' else '')
                               ).lines
            ax.axhline(statistics.mean(rows[0][k]), ls='--',
                       color=line[0].get_color(), label=f'online: {what}')
        ax.set_xlabel('N (views per image)')
        ax.set_xticks(ns)
        ax.legend(fontsize=8)
    axes[0].set_ylabel('top-1 (%)')
    axes[1].set_ylabel('seconds')
    with atomic_open(path) as f:
        fig.savefig(f, format='png', dpi=110, bbox_inches='tight')
    plt.close(fig)


def run_curve(work_dir: str = 'work_dirs/teacher_cache_curve',
              out_md: str = 'docs/teacher_cache_curve.md',
              out_png: Optional[str] = 'docs/teacher_cache_curve.png',
              quick: bool = False, views: Optional[Sequence[int]] = None,
              epochs: Optional[int] = None, images: Optional[int] = None,
              seeds: Optional[Sequence[int]] = None) -> dict:
    """Run (or resume) every stage, then write the report.

    Paths are relative to the current directory unless absolute.

    Returns:
        dict: :func:`summarize`'s rows, keyed by N (0 = online).
    """
    s = curve_settings(quick, views=views, epochs=epochs, images=images,
                       seeds=seeds)
    todo = curve_stages(s)
    ctx = stages.Context(work_dir=work_dir, settings=s)
    for i, stage in enumerate(todo, 1):
        run_stage(ctx, stage, stages.RUNNERS, i, len(todo))
    rows = summarize(ctx, s)
    write_report(rows, s, out_md, out_png)
    return rows
