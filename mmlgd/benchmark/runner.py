"""The benchmark run: which sections, at which sizes, into which markdown.

Sections (see ``docs/benchmark.md`` for a full run):

1. LGKA (VSB) update: :meth:`LGKANeck.update_vsb` against a per-category
   Python loop written from the paper's description (:mod:`.lgka`).
2. LGD training step broken into stages (:mod:`.step`), for ResNet-18 <-
   CLIP RN50 at 224 px and for the embedded Fashion-MNIST default, with
   random weights (:mod:`.models`); AMP fp16 / bf16 too on a GPU.
3. Fast-path candidates for teacher and student (:mod:`.fastpath`).
4. TSB build with the offline MiniLM encoder: cold versus cached
   (:mod:`.tsb`).
5. Teacher-embedding cache: online vs cached vs student-only step, build
   cost per view, size per million images (:mod:`.cache`).
"""
import os.path as osp
import tempfile
import time
from typing import Optional, Sequence

import torch

from mmlgd.utils.fileio import atomic_write_text

from . import cache, common, fastpath, lgka, models, report, step, tsb

FULL = dict(ks=[10, 80, 150, 1000, 1203], bs=[64, 256], ds=[512, 1024],
            lgka_repeats=15, lgka_warmup=3, step_repeats=5, step_warmup=1,
            cache_views=2, r18_rn50_batch=32, embedded_batch=None,
            tsb_classes='imagenet1k', tsb_templates='simple', tsb_repeats=5)
QUICK = dict(ks=[10, 80], bs=[64], ds=[64], lgka_repeats=3, lgka_warmup=1,
             step_repeats=1, step_warmup=1, cache_views=2,
             r18_rn50_batch=2, embedded_batch=8, tsb_classes='fashion_mnist',
             tsb_templates='simple', tsb_repeats=2)
SECTIONS = ('lgka', 'step', 'fastpath', 'tsb', 'cache')
SETTINGS = ('r18_rn50', 'embedded')
# Relative to the current directory, as OpenMMLab tools write their output
# (``make benchmark`` runs from the repository root).
DEFAULT_OUT = osp.join('docs', 'benchmark.md')


def run(quick: bool = False, out: str = DEFAULT_OUT,
        device: Optional[str] = None,
        sections: Sequence[str] = SECTIONS,
        settings: Optional[Sequence[str]] = None,
        tsb_templates: Optional[str] = None,
        threads: Optional[int] = None,
        argv: Sequence[str] = ()) -> str:
    """Run the benchmark and write its markdown atomically to ``out``.

    ``quick`` runs single-threaded unless ``threads`` is given, so the
    smoke test is not stalled by other processes on a shared machine; the
    thread count is restored on return.

    Args:
        quick (bool): tiny sizes and few repeats (:data:`QUICK`).
        out (str): markdown output file.
        device (str, optional): ``'cuda'`` or ``'cpu'``; default cuda when
            available.
        sections (Sequence[str]): subset of :data:`SECTIONS`.
        settings (Sequence[str], optional): step / fast-path settings
            (:data:`SETTINGS`); default both, only ``'embedded'`` when quick.
        tsb_templates (str, optional): template set of the cold TSB build
            (default ``'simple'``).
        threads (int, optional): ``torch.set_num_threads`` for the run.
        argv (Sequence[str]): the command line, recorded in the report.

    Returns:
        str: the markdown written to ``out``.

    Raises:
        ValueError: an unknown section or setting.
    """
    bad = (set(sections) - set(SECTIONS)) | (set(settings or ()) -
                                             set(SETTINGS))
    if bad:
        raise ValueError(f'Unknown benchmark section/setting {sorted(bad)}; '
                         f'sections: {SECTIONS}, settings: {SETTINGS}.')
    old_threads = torch.get_num_threads()
    try:
        if threads or quick:
            torch.set_num_threads(threads or 1)
        return _run(quick, out, device, sections, settings, tsb_templates,
                    argv)
    finally:
        torch.set_num_threads(old_threads)


def _run(quick, out_path, device, sections, settings, tsb_templates,
         argv) -> str:
    start = time.perf_counter()
    device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
    plan = dict(QUICK if quick else FULL)
    if settings is None:
        settings = ['embedded'] if quick else list(SETTINGS)
    if tsb_templates:
        plan['tsb_templates'] = tsb_templates
    import mmlgd  # noqa: F401 - registers the modules
    info = common.machine_info(device)
    print(f'benchmark on {device} ({info["CPU"]}, '
          f'{info["torch threads (intra-op)"]} threads), '
          f'{"quick" if quick else "full"} run')
    out = dict(info=info, plan=plan, device=device, quick=quick)
    with tempfile.TemporaryDirectory(prefix='mmlgd-bench-') as tmp:
        if 'lgka' in sections:
            print('[1/4] LGKA update')
            out['lgka'] = lgka.run(plan['ks'], plan['bs'], plan['ds'],
                                   device, plan['lgka_repeats'],
                                   plan['lgka_warmup'])
        if {'step', 'fastpath', 'cache'} & set(sections):
            out.update(_steps(sections, settings, quick, plan, device, tmp))
        if 'tsb' in sections:
            print('[4/4] TSB build')
            out['tsb'] = tsb.run(plan['tsb_classes'], plan['tsb_templates'],
                                 tmp, plan['tsb_repeats'])
    out['wall'] = time.perf_counter() - start
    text = report.render(out, argv)
    atomic_write_text(out_path, text)
    print(f'wrote {out_path} ({out["wall"]:.0f} s)')
    return text


def _steps(sections, settings, quick, plan, device, tmp) -> dict:
    """Sections 2 and 3, one model at a time (memory)."""
    res = dict(steps=[], fastpaths=[], cache=[])
    amps = [None]
    if device.startswith('cuda'):
        amps += [torch.float16]
        if torch.cuda.is_bf16_supported():
            amps += [torch.bfloat16]
    for setting in settings:
        model, meta = models.build(setting, tmp, device)
        batch = (plan['r18_rn50_batch'] if setting == 'r18_rn50' else
                 plan['embedded_batch'] or meta['batch'])
        if setting == 'r18_rn50' and device.startswith('cuda') and \
                not quick:
            batch = 256  # the paper's per-GPU batch (8 x 256)
        if 'step' in sections:
            print(f'[2/4] step breakdown: {meta["name"]}')
            for amp in amps:
                res['steps'].append(step.run_setting(
                    model, meta, device, batch, plan['step_repeats'],
                    plan['step_warmup'], amp))
        if 'fastpath' in sections:
            print(f'[3/4] fast paths: {meta["name"]}')
            res['fastpaths'].append(fastpath.fast_paths(
                model, meta, device, batch, plan['step_repeats'],
                plan['step_warmup']))
        if 'cache' in sections:
            print(f'[5] teacher cache: {meta["name"]}')
            res['cache'].append(cache.run_setting(
                model, meta, device, batch, plan['step_repeats'],
                plan['step_warmup'], tmp, plan['cache_views']))
        del model
    return res
