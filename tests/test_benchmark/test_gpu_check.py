"""The GPU check (tools/analysis_tools/gpu_check.sh): its CPU smoke mode end
to end, and its parts against independent references."""
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmlgd.benchmark import gpu, gpu_check

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_host_cached_embeddings_are_the_stored_rows_renormalised():
    rng = np.random.default_rng(0)
    table = rng.standard_normal((6, 4)).astype(np.float16)
    index = np.array([4, 0, 4])
    got = gpu.HostCachedEmbeddings(table, index)(torch.zeros(3, 3, 2, 2))
    rows = torch.tensor(table[[4, 0, 4]].astype(np.float64))
    want = rows / rows.norm(dim=1, keepdim=True)
    assert got.dtype == torch.float32 and got.shape == (3, 4)
    torch.testing.assert_close(got.double(), want, atol=1e-6, rtol=0)


def test_stopwatch_sums_the_spans_of_each_name(monkeypatch):
    clock = iter([0.0, 1.0, 3.0, 3.5, 7.5])
    monkeypatch.setattr(gpu.time, 'perf_counter', lambda: next(clock))
    watch = gpu.Stopwatch('cpu')
    for name in ('a', 'b', 'a', 'c'):
        watch.mark(name)
    assert watch.seconds() == {'a': 1.0 + 0.5, 'b': 2.0, 'c': 4.0}


def test_import_check_names_what_is_missing():
    got = gpu_check.check_imports(['json', 'mmlgd_no_such_module'])
    assert got['json'] == 'ok'
    assert got['mmlgd_no_such_module'].startswith('ModuleNotFoundError')


def test_wheel_list_pins_the_openmmlab_stack():
    """The carried OpenMMLab versions are those of the constraints file
    (mmcv as mmcv-lite, the same 2.1.0 without compiled ops)."""
    def pins(name):
        with open(osp.join(ROOT, 'requirements', name)) as f:
            lines = [ln.split('#')[0].strip() for ln in f]
        return dict(ln.split('==') for ln in lines if '==' in ln)
    carried, wanted = pins('gpu_check.txt'), pins('constraints.txt')
    for name in ('mmengine', 'mmpretrain', 'mmsegmentation'):
        assert carried[name] == wanted[name], name
    assert carried['mmcv-lite'] == wanted['mmcv']


@pytest.mark.e2e
def test_cpu_smoke_run_writes_every_part(tmp_path):
    """``gpu_check.sh --smoke`` on CPU: nothing installed, the CUDA tests
    skip with their reason, the benchmark runs at tiny sizes and its FLOP
    count agrees with the forward FLOPs of teacher and student counted
    here (a step is teacher forward + student forward and backward,
    backward ~2x forward)."""
    out = tmp_path / 'out'
    env = dict(os.environ, OUT=str(out), PYTHON=sys.executable)
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'analysis_tools', 'gpu_check.sh'),
         '--smoke'], cwd=str(tmp_path), env=env, capture_output=True,
        text=True, timeout=600)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-4000:]
    assert 'nothing installed' in text  # --smoke never installs
    for name in ('env.json', 'imports.json', 'cuda_tests.log',
                 'cuda_tests.xml', 'benchmark.json', 'benchmark.md',
                 'summary.md'):
        assert (out / name).is_file(), name
    if not torch.cuda.is_available():
        log = (out / 'cuda_tests.log').read_text()
        assert 'CUDA is not available' in log and ' failed' not in log
    res = json.loads((out / 'benchmark.json').read_text())
    assert res['device'] == 'cpu' and res['batch'] == gpu.SMOKE['batch']
    assert set(res['variants']) == {'online', 'cached', 'student-only'}
    assert set(res['stages']) == set(gpu.STAGES)
    assert res['floor_multiple'] == pytest.approx(
        res['step_s'] / (res['step_flops'] /
                         res['matmul']['flops_per_s']))

    from torch.utils.flop_counter import FlopCounterMode

    from mmlgd.benchmark.models import build_r18_rn50
    model, meta = build_r18_rn50()
    x = torch.zeros(res['batch'], 3, meta['image'], meta['image'])
    with torch.no_grad(), FlopCounterMode(display=False) as teacher:
        F.normalize(model.target_generator(x), dim=1)
    with torch.no_grad(), FlopCounterMode(display=False) as student:
        model.backbone(x)
    t, s = teacher.get_total_flops(), student.get_total_flops()
    assert t + 2 * s < res['step_flops'] < t + 3.2 * s


def test_docs_state_that_no_gpu_figure_exists_and_how_to_make_them():
    """docs/benchmark.md carries the generated GPU section verbatim (a
    regeneration keeps it) and it names the device-tool command and carry.
    Update both together once figures are measured."""
    from mmlgd.benchmark.report import gpu_section
    text = gpu_section()
    assert 'No GPU figures exist yet' in text
    assert ("run(command='bash tools/analysis_tools/gpu_check.sh', "
            "carry=['.gpu_wheels']" in text)
    with open(osp.join(ROOT, 'docs', 'benchmark.md')) as f:
        assert text in f.read()
