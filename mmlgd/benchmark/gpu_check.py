"""One check of the CUDA path, run by ``tools/analysis_tools/gpu_check.sh``.

    python -m mmlgd.benchmark.gpu_check [--smoke] [--out DIR]
        [--skip-tests] [--imports-only]

In order, each part's outcome written to ``--out`` (default ``$OUT``, else
``work_dirs/gpu_check``) even when a later part fails:

1. ``env.json``: Python, torch, CUDA, the GPU, package versions, whether
   mmcv's compiled ops exist;
2. ``imports.json``: every module the check needs, imported (the install
   dry run stops here with ``--imports-only``);
3. ``cuda_tests.log`` / ``cuda_tests.xml``: ``pytest -m cuda tests/test_cuda``
   (they skip, with their reason, where CUDA is absent);
4. ``benchmark.json`` / ``benchmark.md``: :mod:`mmlgd.benchmark.gpu` at
   :data:`~mmlgd.benchmark.gpu.GPU` sizes, or :data:`~mmlgd.benchmark.gpu.
   SMOKE` sizes on CPU with ``--smoke`` (also the fallback without CUDA);
5. ``summary.md``.

Exit status: 0 when every part ran and no test failed, 1 otherwise.
"""
import argparse
import importlib
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time
import traceback
from typing import List, Optional

# What the check imports, directly or through the tests and tools/train.py.
NEEDED = ['torch', 'torchvision', 'numpy', 'cv2', 'pytest', 'mmengine',
          'mmcv', 'mmpretrain', 'open_clip', 'onnx', 'onnxruntime',
          'onnxscript', 'mmlgd', 'mmlgd.apis.train',
          'mmlgd.apis.teacher_cache', 'mmlgd.deployment',
          'mmlgd.benchmark.gpu']
PACKAGES = ['torch', 'torchvision', 'numpy', 'transformers', 'timm',
            'onnx', 'onnxruntime', 'onnxscript', 'opencv-python-headless',
            'mmengine', 'mmcv', 'mmcv-lite', 'mmpretrain', 'mmsegmentation',
            'open_clip_torch', 'sentence-transformers', 'setuptools']
TESTS = 'tests/test_cuda'
TEST_TIMEOUT_S = 270


def environment() -> dict:
    """Versions and the device (no CUDA work beyond the device query)."""
    import importlib.metadata as md
    from importlib.util import find_spec

    import torch
    info = dict(python=sys.version.split()[0], executable=sys.executable,
                cuda_available=torch.cuda.is_available(),
                torch_cuda=torch.version.cuda,
                mmcv_ops=find_spec('mmcv') is not None and
                find_spec('mmcv._ext') is not None, packages={})
    if info['cuda_available']:
        info['gpu'] = torch.cuda.get_device_name(0)
        info['gpu_memory_gib'] = round(
            torch.cuda.get_device_properties(0).total_memory / 2**30, 1)
    for name in PACKAGES:
        try:
            info['packages'][name] = md.version(name)
        except md.PackageNotFoundError:
            info['packages'][name] = None
    return info


def check_imports(names: List[str] = NEEDED) -> dict:
    """Import each module; name -> ``'ok'`` or the error's one line."""
    out = {}
    for name in names:
        try:
            importlib.import_module(name)
            out[name] = 'ok'
        except Exception as e:  # noqa: BLE001 - reported, not hidden
            out[name] = f'{type(e).__name__}: {e}'.splitlines()[0]
    return out


def run_tests(out: str, collect_only: bool = False) -> dict:
    """``pytest -m cuda`` on :data:`TESTS` in a subprocess, run from the
    current directory, which must be the checkout's root (``gpu_check.sh``
    changes into it; the tests are not part of the package); returns rc,
    seconds and the summary line."""
    root = os.getcwd()
    if not osp.isdir(osp.join(root, TESTS)):
        raise FileNotFoundError(
            f'{TESTS} not found under {root}: run the GPU check from the '
            'repository root (tools/analysis_tools/gpu_check.sh does)')
    cmd = [sys.executable, '-m', 'pytest', '-m', 'cuda', TESTS, '-rs', '-q',
           '-p', 'no:cacheprovider',
           f'--junitxml={osp.join(out, "cuda_tests.xml")}']
    if collect_only:
        cmd.append('--collect-only')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (root, os.environ.get('PYTHONPATH')) if p))
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True,
                              text=True, timeout=TEST_TIMEOUT_S)
        rc, text = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as e:
        rc = 124
        text = f'{e.stdout or ""}{e.stderr or ""}\n[timed out after ' \
            f'{TEST_TIMEOUT_S} s]'
    with open(osp.join(out, 'cuda_tests.log'), 'w') as f:
        f.write(' '.join(cmd) + '\n' + text)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return dict(rc=rc, seconds=time.perf_counter() - t0,
                summary=lines[-1] if lines else '')


def benchmark_markdown(res: dict) -> str:
    """The figures of :func:`mmlgd.benchmark.gpu.run` as markdown."""
    from mmlgd.utils.markdown import md_table

    from .common import mib, ms
    from .gpu import STAGES
    total = sum(res['stages'].values())
    rows = [[s, f'{ms(res["stages"][s])} ms',
             f'{100 * res["stages"][s] / total:.1f}%'] for s in STAGES]
    base = res['variants']['student-only']
    variants = [[k, f'{ms(v)} ms', f'{v / base:.2f}x',
                 f'{res["batch"] / v:.1f}']
                for k, v in res['variants'].items()]
    mm = res['matmul']
    return '\n'.join([
        f'{res["setting"]}, batch {res["batch"]}, {res["image"]} px, '
        f'{res["amp"]}, device {res["device"]}; medians of '
        f'{res["repeats"]} steps after {res["warmup"]} warm-up steps.', '',
        md_table(['figure', 'value'], [
            ['images/s (online step)', f'{res["images_per_s"]:.1f}'],
            ['step time', f'{ms(res["step_s"])} ms'],
            ['peak memory (MiB)', mib(res['peak_memory'])],
            ['step FLOPs (forward + backward)',
             f'{res["step_flops"] / 1e12:.3f} T'],
            [f'{mm["dtype"]} matmul {mm["n"]}^3 (FLOP/s)',
             f'{mm["flops_per_s"] / 1e12:.1f} T'],
            ['FLOP floor (step FLOPs / matmul FLOP/s)',
             f'{ms(res["floor_s"])} ms'],
            ['step time / FLOP floor', f'{res["floor_multiple"]:.2f}x']]),
        '', 'Stages (CUDA events on GPU):', '',
        md_table(['stage', 'median', 'share'], rows), '',
        'Online vs cached vs student-only (interleaved):', '',
        md_table(['step', 'median', 'vs student-only', 'images/s'],
                 variants), ''])


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=os.environ.get('OUT') or osp.join(
        'work_dirs', 'gpu_check'), help='folder for every output')
    parser.add_argument('--smoke', action='store_true',
                        help='tiny sizes on CPU (the CUDA tests skip)')
    parser.add_argument('--skip-tests', action='store_true',
                        help='do not run pytest -m cuda')
    parser.add_argument('--imports-only', action='store_true',
                        help='only the environment and import checks, and '
                        'collecting the CUDA tests (the install dry run)')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    out = args.out
    os.makedirs(out, exist_ok=True)
    ok = True

    def dump(name, obj):
        with open(osp.join(out, name), 'w') as f:
            json.dump(obj, f, indent=1, default=str)

    env = environment()
    dump('env.json', env)
    print(f'[gpu_check] python {env["python"]}, torch '
          f'{env["packages"]["torch"]}, CUDA {env["cuda_available"]} '
          f'{env.get("gpu", "")}; output in {out}', flush=True)
    imports = check_imports()
    dump('imports.json', imports)
    bad = {k: v for k, v in imports.items() if v != 'ok'}
    print(f'[gpu_check] imports: {len(imports) - len(bad)}/{len(imports)} '
          f'ok {bad or ""}', flush=True)
    ok &= not bad
    summary = [f'# GPU check ({time.strftime("%Y-%m-%d %H:%M:%S")})', '',
               f'device: {env.get("gpu", "no CUDA")}; python '
               f'{env["python"]}; packages: {env["packages"]}', '',
               f'imports: {"all ok" if not bad else bad}', '']
    if not args.skip_tests:
        tests = run_tests(out, collect_only=args.imports_only)
        print(f'[gpu_check] cuda tests (rc {tests["rc"]}, '
              f'{tests["seconds"]:.0f} s): {tests["summary"]}', flush=True)
        ok &= tests['rc'] in (0, 5)  # 5: nothing selected / collected
        summary += [f'cuda tests: rc {tests["rc"]}: {tests["summary"]}', '']
    if not args.imports_only:
        import torch

        from . import gpu
        smoke = args.smoke or not torch.cuda.is_available()
        sizes = gpu.SMOKE if smoke else gpu.GPU
        device = 'cpu' if smoke else 'cuda'
        try:
            with tempfile.TemporaryDirectory() as tmp:
                res = gpu.run(device, tmp, **sizes,
                              log=lambda m: print(f'[gpu_check] {m}',
                                                  flush=True))
            dump('benchmark.json', res)
            text = benchmark_markdown(res)
            with open(osp.join(out, 'benchmark.md'), 'w') as f:
                f.write(text)
            summary += ['## Benchmark' + (' (CPU smoke: sizes only, the '
                                          'figures mean nothing)'
                                          if smoke else ''), '', text]
        except Exception:  # noqa: BLE001 - written out, then exit 1
            ok = False
            err = traceback.format_exc()
            with open(osp.join(out, 'benchmark_error.txt'), 'w') as f:
                f.write(err)
            print(err, flush=True)
            summary += ['benchmark failed: see benchmark_error.txt', '']
    with open(osp.join(out, 'summary.md'), 'w') as f:
        f.write('\n'.join(summary) + '\n')
    print(f'[gpu_check] {"ok" if ok else "FAILED"}; summary: '
          f'{osp.join(out, "summary.md")}', flush=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
