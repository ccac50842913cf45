"""The benchmark (:mod:`mmlgd.benchmark`,
``tools/analysis_tools/benchmark.py``) --quick: runs end to end on tiny
sizes, writes the markdown with every section, and the vectorised LGKA
update gives the same bank as the per-category loop. No timing
assertions."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch

from mmlgd.benchmark import lgka, run

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ARGV = ['--quick', '--device', 'cpu']


@pytest.fixture(scope='module')
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp('bench') / 'benchmark.md'
    run(quick=True, device='cpu', out=str(out), argv=ARGV)
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
def test_vectorised_update_equals_loop(k, b, d):
    assert lgka.check_equal(k, b, d, 'cpu', steps=4, seed=k) < 1e-5


def test_loop_reference_by_hand():
    vsb = torch.zeros(3, 2)
    init = torch.tensor([False, True, False])
    tsb = torch.eye(3, 2)
    z = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    labels = lgka.loop_update(vsb, init, z, tsb, momentum=0.5)
    assert labels.tolist() == [0, 1, 1]
    torch.testing.assert_close(vsb[0], torch.tensor([1.0, 0.0]))
    torch.testing.assert_close(vsb[1], 0.5 * torch.tensor([0.3, 0.9]))
    assert init.tolist() == [True, True, False]


def test_command_line_tool(tmp_path):
    """The thin CLI passes its flags through to :func:`run` (LGKA only)."""
    out = tmp_path / 'b.md'
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'analysis_tools',
                                  'benchmark.py'), *ARGV, '--sections',
         'lgka', '--out', str(out)], cwd=ROOT, capture_output=True,
        text=True, env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text(encoding='utf-8')
    assert '## 1. LGKA' in text and '## 2. LGD training step' not in text
    assert '--sections lgka' in text


def test_unknown_section_is_refused(tmp_path):
    with pytest.raises(ValueError, match='Unknown benchmark section'):
        run(quick=True, sections=['lgka', 'gpu'], out=str(tmp_path / 'x'))
