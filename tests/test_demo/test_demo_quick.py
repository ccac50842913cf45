"""`tools/run_demo.py --quick` (:mod:`mmlgd.demo`) end to end on real
Fashion-MNIST (CI)."""
import json
import os
import os.path as osp
import re

import pytest
import torch

from mmlgd.cli.run_demo import run as main
from mmlgd.cli.run_demo import settings_of_command
from mmlgd.demo.across_runs import SavedRun, across_runs

DEBIAN = '/usr/share/datasets/fashion-mnist'


def _pct(cell):
    """'72.3' or '72.3 ± 1.0 (n=3)' -> 72.3."""
    return float(re.match(r'[-\d.]+', cell).group(0))


def _state(path):
    return torch.load(path, map_location='cpu', weights_only=True)[
        'state_dict']


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.filterwarnings(  # pycocotools under numpy 2, inside the library
    'ignore:__array__ implementation:DeprecationWarning')
@pytest.mark.skipif(not osp.isdir(DEBIAN),
                    reason="Debian's dataset-fashion-mnist is not installed "
                    '(tools/install.sh installs it)')
def test_demo_quick(tmp_path):
    wd = str(tmp_path / 'demo')
    # --only in a fresh work dir: runs just those stages, no report
    part = main(['--quick', '--work-dir', wd, '--only', 'data', 'scenes'])
    assert part['ran'] == ['data', 'scenes']
    assert all(osp.isfile(p) for p in part['results'].values())
    assert not osp.exists(osp.join(wd, 'results.json'))
    # with the teacher-cache switch: cache build, cached pre-training
    summary = main(['--quick', '--work-dir', wd, '--teacher-cache', '2'])

    report = open(osp.join(wd, 'report.md')).read()
    for heading in ('## Classification', '## Transfer', 'zero-shot top-1',
                    'bbox mAP', 'mIoU', 'SEED baseline', 'Paired differences',
                    '## Pre-training from the teacher-embedding cache',
                    'cached - online (paired)',
                    '`python tools/run_demo.py --quick --teacher-cache 2`'):
        assert heading in report
    for png in ('curves.png', 'per_class_zero_shot.png',
                'embedding_map.png'):
        assert osp.getsize(osp.join(wd, png)) > 5000, png
        assert f']({png})' in report

    rows = {r['model']: r for r in summary['classification']}
    teacher = next(v for k, v in rows.items() if k.startswith('Teacher'))
    # chance is 10%: a 2-epoch text-aligned teacher is far above it
    assert _pct(teacher['zero_shot']) > 40
    for name, row in rows.items():
        if name.startswith('Student'):
            assert 0 <= _pct(row['zero_shot']) <= 100
            assert 0 <= _pct(row['linear_probe']) <= 100
    metrics = summary['metrics']
    # every init fine-tuned on 50% of the quick scenes
    for init in ('lgd', 'lgd-image-only', 'seed', 'random'):
        for key in ('coco/bbox_mAP', 'coco/segm_mAP'):
            assert 0.0 <= metrics[f'det50_{init}_s0'][key] <= 1.0
        assert 0.0 <= metrics[f'seg50_{init}_s0']['mIoU'] <= 100.0
    # the default transfer freezes the backbone: every backbone tensor of
    # the trained detector / segmentor, BN running statistics included,
    # equals the student's
    student = _state(json.load(open(osp.join(
        wd, 'results', 'lgd_s0.json')))['checkpoint'])
    keys = [k for k in student if k.startswith('backbone.')]
    assert any('running_mean' in k for k in keys)
    for stage in ('det50_lgd_s0', 'seg50_lgd_s0'):
        trained = _state(osp.join(wd, stage, 'iter_12.pth'))
        assert [k for k in keys if not torch.equal(trained[k], student[k])
                ] == [], stage
    assert [r['init'] for r in summary['transfer']['0.5']] == [
        'LGD (w_tex = w_vis = 0.5)', 'LGD image-only ablation (w_tex = 0)',
        'SEED baseline (instance queue, no text; tau_t = 1e-4)',
        'random init']
    # the cached run trained from the cache the demo built
    cache = json.load(open(osp.join(wd, 'results', 'teacher_cache.json')))
    assert osp.isfile(osp.join(cache['cache_dir'], 'manifest.json'))
    assert 0 <= metrics['zs_lgd-cached_s0']['accuracy/top1'] <= 100
    # per-category zero-shot accuracies were computed from the dumped
    # predictions of tools/test.py --out
    per_class = json.load(open(osp.join(wd, 'results',
                                        'zs_teacher.json')))['per_class']
    assert len(per_class) == 10 and max(per_class) > 0.4

    # the run read back from its results.json (as
    # tools/analysis_tools/compare_demo_runs.py does) gives the report's own
    # paired cells
    saved = json.load(open(osp.join(wd, 'results.json')))
    s = settings_of_command(saved['command'])
    assert s['quick'] and s['teacher_cache'] == 2
    text = across_runs([SavedRun(saved, s, 'a'), SavedRun(saved, s, 'b')])
    for line in report.splitlines():
        if line.startswith('| LGD - '):  # classification comparisons
            label, zs, probe = [c.strip() for c in line.strip('|').split('|')]
            assert f'| {label} | zero-shot top-1 | {zs} | {zs} |' in text
            assert f'| {label} | linear probe top-1 | {probe} | {probe} |' \
                in text
    assert '| no |' not in text

    # re-running skips every finished stage
    again = main(['--quick', '--work-dir', wd, '--teacher-cache', '2'])
    assert again['metrics']['zs_teacher'] == metrics['zs_teacher']
    assert os.listdir(osp.join(wd, 'teacher'))
