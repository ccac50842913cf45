"""Benchmark section 5 (teacher cache), --quick: runs on tiny sizes and
reports every figure. No timing assertions."""
import re

from mmlgd.benchmark import run
from mmlgd.benchmark.cache import per_million


def test_quick_cache_section(tmp_path):
    out = tmp_path / 'b.md'
    text = run(quick=True, device='cpu', out=str(out), sections=['cache'],
               argv=['--quick', '--sections', 'cache'])
    assert '## 5. Teacher cache: online vs cached step' in text
    assert '## 2. LGD training step' not in text  # only what was asked
    row = next(line for line in text.splitlines()
               if line.startswith('| embedded'))
    cells = [c.strip() for c in row.strip('|').split('|')]
    assert len(cells) == 8 and all(cells)
    assert re.match(r'\*\*\d+\.\d{3}x\*\* \((met|NOT met); '
                    r'[\d.]+-[\d.]+x\)', cells[5])
    assert '% of the student-only step' in cells[6]
    # D=384 fp16: 1e6 images x N views x 384 x 2 bytes
    assert 'N=10: 7.2 GiB' in text
    assert not list(tmp_path.glob('*.tmp'))


def test_size_per_million_images():
    assert per_million(1024, 10) == 1e6 * 10 * 1024 * 2
    assert per_million(384, 1, 'float32') == 1e6 * 384 * 4
