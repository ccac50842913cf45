"""Benchmark LGD's hot paths and write ``docs/benchmark.md``.

Sections:

1. LGKA (VSB) update: :meth:`LGKANeck.update_vsb` against a per-category
   Python loop written from the paper's description, for K x B x D; both
   must give the same bank in every cell (asserted here).
2. LGD training step broken into stages, for ResNet-18 <- CLIP RN50 at
   224 px and for the embedded default (``configs/fashion_mnist/``), with
   random weights; AMP fp16 / bf16 too when a GPU is used.
3. Fast-path candidates for teacher and student (inference mode, channels
   last, bf16 autocast for the teacher), timed against the current path.
4. TSB build with the offline MiniLM encoder: cold versus cached.

Usage::

    python tools/analysis_tools/benchmark.py            # full, minutes
    python tools/analysis_tools/benchmark.py --quick --out /tmp/b.md

Nothing is downloaded: all models use random weights or the offline MiniLM
package. The markdown is written atomically.
"""
import argparse
import os
import os.path as osp
import sys
import tempfile
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
os.environ.setdefault('HF_HUB_OFFLINE', '1')

import _bench_common as common  # noqa: E402
import _bench_models as models  # noqa: E402
import torch  # noqa: E402

FULL = dict(ks=[10, 80, 150, 1000, 1203], bs=[64, 256], ds=[512, 1024],
            lgka_repeats=15, lgka_warmup=3, step_repeats=5, step_warmup=1,
            r18_rn50_batch=32, embedded_batch=None, tsb_classes='imagenet1k',
            tsb_templates='simple', tsb_repeats=5)
QUICK = dict(ks=[10, 80], bs=[64], ds=[64], lgka_repeats=3, lgka_warmup=1,
             step_repeats=1, step_warmup=1, r18_rn50_batch=2,
             embedded_batch=8, tsb_classes='fashion_mnist',
             tsb_templates='simple', tsb_repeats=2)
SECTIONS = ('lgka', 'step', 'fastpath', 'tsb')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--quick', action='store_true',
                   help='tiny sizes and few repeats (CI smoke test)')
    p.add_argument('--out', default=osp.join(models.ROOT, 'docs',
                                             'benchmark.md'),
                   help='markdown output (default docs/benchmark.md)')
    p.add_argument('--device', default=None,
                   help="'cuda' or 'cpu' (default: cuda if available)")
    p.add_argument('--sections', nargs='+', default=list(SECTIONS),
                   choices=SECTIONS, help='what to run (default: all)')
    p.add_argument('--settings', nargs='+', default=None,
                   choices=['r18_rn50', 'embedded'],
                   help='step / fast-path settings (default: both; with '
                   '--quick only the embedded one)')
    p.add_argument('--tsb-templates', default=None,
                   help="template set for the cold TSB build ('simple' by "
                   "default: 'openai' is 80k prompts, tens of minutes on a "
                   'small CPU)')
    p.add_argument('--threads', type=int, default=None,
                   help='torch.set_num_threads (default: torch\'s own; '
                   '1 with --quick)')
    return p.parse_args(argv)


def main(argv=None) -> str:
    """Run the benchmark; returns the markdown (also written to --out).

    ``--quick`` runs single-threaded unless ``--threads`` is given, so the
    smoke test is not stalled by other processes on a shared machine; the
    thread count is restored on return.
    """
    args = parse_args(argv)
    threads = torch.get_num_threads()
    try:
        if args.threads or args.quick:
            torch.set_num_threads(args.threads or 1)
        return _run(args, argv)
    finally:
        torch.set_num_threads(threads)


def _run(args, argv) -> str:
    start = time.perf_counter()
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    plan = dict(QUICK if args.quick else FULL)
    if args.settings is None:
        args.settings = (['embedded'] if args.quick else
                         ['r18_rn50', 'embedded'])
    if args.tsb_templates:
        plan['tsb_templates'] = args.tsb_templates
    import mmlgd  # noqa: F401 - registers the modules
    info = common.machine_info(device)
    print(f'benchmark on {device} ({info["CPU"]}, '
          f'{info["torch threads (intra-op)"]} threads), '
          f'{"quick" if args.quick else "full"} run')
    out = dict(info=info, plan=plan, device=device, args=args)
    with tempfile.TemporaryDirectory(prefix='mmlgd-bench-') as tmp:
        if 'lgka' in args.sections:
            import _bench_lgka
            print('[1/4] LGKA update')
            out['lgka'] = _bench_lgka.run(
                plan['ks'], plan['bs'], plan['ds'], device,
                plan['lgka_repeats'], plan['lgka_warmup'])
        if {'step', 'fastpath'} & set(args.sections):
            out.update(_steps(args, plan, device, tmp))
        if 'tsb' in args.sections:
            import _bench_tsb
            print('[4/4] TSB build')
            out['tsb'] = _bench_tsb.run(
                plan['tsb_classes'], plan['tsb_templates'], tmp,
                plan['tsb_repeats'])
    out['wall'] = time.perf_counter() - start
    import _bench_report
    text = _bench_report.render(out, argv if argv is not None
                                else sys.argv[1:])
    _write(args.out, text)
    print(f'wrote {args.out} ({out["wall"]:.0f} s)')
    return text


def _steps(args, plan, device, tmp) -> dict:
    """Sections 2 and 3, one model at a time (memory)."""
    import _bench_fastpath
    import _bench_step
    res = dict(steps=[], fastpaths=[])
    amps = [None]
    if device.startswith('cuda'):
        amps += [torch.float16]
        if torch.cuda.is_bf16_supported():
            amps += [torch.bfloat16]
    for setting in args.settings:
        model, meta = models.build(setting, tmp, device)
        batch = (plan['r18_rn50_batch'] if setting == 'r18_rn50' else
                 plan['embedded_batch'] or meta['batch'])
        if setting == 'r18_rn50' and device.startswith('cuda') and \
                not args.quick:
            batch = 256  # the paper's per-GPU batch (8 x 256)
        if 'step' in args.sections:
            print(f'[2/4] step breakdown: {meta["name"]}')
            for amp in amps:
                res['steps'].append(_bench_step.run_setting(
                    model, meta, device, batch, plan['step_repeats'],
                    plan['step_warmup'], amp))
        if 'fastpath' in args.sections:
            print(f'[3/4] fast paths: {meta["name"]}')
            res['fastpaths'].append(_bench_fastpath.fast_paths(
                model, meta, device, batch, plan['step_repeats'],
                plan['step_warmup']))
        del model
    return res


def _write(path: str, text: str) -> None:
    """Atomic write (mmlgd's helper when present, else temp + replace)."""
    try:
        from mmlgd.utils.fileio import atomic_write_text
    except ImportError:
        atomic_write_text = None
    if atomic_write_text is not None:
        atomic_write_text(path, text)
        return
    d = osp.dirname(osp.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, suffix='.tmp')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.unlink(tmp)
        raise


if __name__ == '__main__':
    main()
