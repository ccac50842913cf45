"""The trade-off curve command (``tools/analysis_tools/
teacher_cache_curve.py``) on a micro setting, its stages replaced by fakes
with known results and a fake clock: the plan, the table, the paired tests
and the break-even epochs."""
import types

import pytest

from mmlgd.cli.teacher_cache_curve import main as curve_main
from mmlgd.demo import plan, profile, results, stages
from mmlgd.teacher_cache import curve

TRAIN_S = {0: 80.0, 1: 60.0, 2: 60.0}  # online, N=1, N=2 (per run)
BUILD_S = {1: 10.0, 2: 30.0}


@pytest.fixture
def fake_stages(monkeypatch):
    clock = [0.0]
    ran = []
    # the stage clock (mmlgd.demo.profile) reads the fake time
    monkeypatch.setattr(profile, 'time', types.SimpleNamespace(
        perf_counter=lambda: clock[0]))
    # run_stage frees memory after each real stage (about 1 s each here)
    monkeypatch.setattr(results, 'gc', types.SimpleNamespace(
        collect=lambda: None))

    def n_of(name):
        return 0 if name.startswith('online') else int(
            name.split('cached')[1].split('v')[0])

    def fake(ctx, stage):
        ran.append(stage)
        p = stage.params
        if stage.kind == 'cache':
            clock[0] += BUILD_S[p['views']]
            return dict(metrics={}, cache_dir='x', bytes=p['images'] *
                        p['views'] * 384 * 2)
        if stage.kind == 'train':
            clock[0] += TRAIN_S[p.get('views', 0)]
            return dict(metrics={}, checkpoint='ck')
        if stage.kind in ('zero_shot', 'probe'):
            student = p['student']
            n, seed = n_of(student), p['seed']
            base = 70.0 if stage.kind == 'zero_shot' else 75.0
            return dict(metrics={'accuracy/top1': base + n + 0.1 * seed
                                 + (0.05 * seed * seed if n else 0)})
        return dict(metrics={})

    monkeypatch.setattr(stages, 'RUNNERS', {k: fake for k in stages.RUNNERS})
    return ran


def test_curve_command_on_a_micro_setting(fake_stages, tmp_path):
    out = tmp_path / 'curve.md'
    curve_main(['--views', '2', '1', '--epochs', '2', '--images', '64',
                '--seeds', '0', '1', '2', '--quick', '--work-dir',
                str(tmp_path / 'wd'), '--out', str(out)])
    names = [s.name for s in fake_stages]
    assert names[:4] == ['data', 'teacher', 'cache_1v', 'cache_2v']
    trains = [s for s in fake_stages if s.kind == 'train'][1:]
    assert {s.name for s in trains} == {
        f'{r}_s{x}' for r in ('online', 'cached1v', 'cached2v')
        for x in (0, 1, 2)}
    cached = next(s for s in trains if s.name == 'cached2v_s1').params
    assert (cached['config'], cached['cache'], cached['views'],
            cached['epochs'], cached['images']) == (
                plan.CACHED_CFG, 'cache_2v', 2, 2, 64)
    text = out.read_text()
    # online 80 s, cached 60 s over 2 epochs: 10 s saved per epoch
    assert '| cache, N=1 | 71.2 ± 0.2 (n=3) |' in text
    assert '| 10.0 | 768 | 1.0 |' in text  # build, 384 x 2 bytes, 10/10
    assert '| 30.0 | 768 | 3.0 |' in text
    # paired differences N=1 - online: 1.0, 1.05, 1.2 -> +1.1 ± 0.1
    assert '| N=1 | +1.1 ± 0.1, p=0.0' in text
    assert (tmp_path / 'curve.png').is_file()
    # resumable: a second run redoes nothing
    fake_stages.clear()
    curve.run_curve(str(tmp_path / 'wd'), str(out), None, True, [1, 2], 2,
                    64, [0, 1, 2])
    assert fake_stages == []


def test_curve_settings_refuse_bad_values():
    with pytest.raises(ValueError, match='must be >= 1'):
        curve.curve_settings(views=[0, 2])
    s = curve.curve_settings()
    assert (s['views'], s['epochs'], s['images'], list(s['seeds'])) == (
        [1, 2, 4], 8, 5000, [0, 1, 2])
