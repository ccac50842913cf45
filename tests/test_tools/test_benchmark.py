"""tools/analysis_tools/benchmark.py --quick: runs end to end on tiny sizes,
writes the markdown with every section, and the vectorised LGKA update gives
the same bank as the per-category loop. No timing assertions."""
import importlib.util
import os.path as osp
import re

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL_DIR = osp.join(ROOT, 'tools', 'analysis_tools')


def _load(name):
    spec = importlib.util.spec_from_file_location(
        f'_mmlgd_bench_{name}', osp.join(TOOL_DIR, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # benchmark.py puts TOOL_DIR on sys.path
    return module


@pytest.fixture(scope='module')
def bench():
    return _load('benchmark')


@pytest.fixture(scope='module')
def quick_report(bench, tmp_path_factory):
    out = tmp_path_factory.mktemp('bench') / 'benchmark.md'
    bench.main(['--quick', '--device', 'cpu', '--out', str(out)])
    return out, out.read_text(encoding='utf-8')


def test_quick_run_writes_all_sections(quick_report):
    out, text = quick_report
    assert text.startswith('# mmlgd benchmark')
    assert '--quick' in text  # the command line is recorded
    for title in ('## 1. LGKA', '## 2. LGD training step',
                  '## 3. Fast-path candidates', '## 4. TSB build'):
        assert title in text, title
    for row in ('| CPU |', '| torch |', '| torch threads (intra-op) |',
                '| data |', '| teacher forward |', '| LGD neck+head |',
                '| optimizer |', 'inference_mode + clone',
                'channels_last', 'autocast bf16', 'cached load'):
        assert row in text, row
    # every LGKA cell reports equal banks; no temporary file left behind
    lgka_rows = [line for line in text.splitlines()
                 if re.match(r'\| \d+ \| \d+ \| \d+ \|', line)]
    assert len(lgka_rows) == 2
    assert all('| yes (' in line for line in lgka_rows)
    assert not list(out.parent.glob('*.tmp'))


@pytest.mark.parametrize('k, b, d', [(1, 5, 3), (7, 16, 8), (40, 8, 16)])
def test_vectorised_update_equals_loop(bench, k, b, d):
    lgka = _load('_bench_lgka')
    assert lgka.check_equal(k, b, d, 'cpu', steps=4, seed=k) < 1e-5


def test_loop_reference_by_hand():
    lgka = _load('_bench_lgka')
    vsb = torch.zeros(3, 2)
    init = torch.tensor([False, True, False])
    tsb = torch.eye(3, 2)
    z = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    labels = lgka.loop_update(vsb, init, z, tsb, momentum=0.5)
    assert labels.tolist() == [0, 1, 1]
    torch.testing.assert_close(vsb[0], torch.tensor([1.0, 0.0]))
    torch.testing.assert_close(vsb[1], 0.5 * torch.tensor([0.3, 0.9]))
    assert init.tolist() == [True, True, False]
