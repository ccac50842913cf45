"""The demo's control flow (:mod:`mmlgd.demo`): ``--only`` without the
report, schedule overrides addressed by scheduler type, per-class accuracy.
The heavy stages run in ``test_demo_quick.py`` (e2e)."""
import json
import os.path as osp
import pickle

import pytest
import torch

from mmlgd.cli.run_demo import main, run
from mmlgd.demo import options, plan, report, results, stages


def _fake_data_stage(calls):
    def run(ctx, stage):
        calls.append(stage.name)
        return dict(metrics={'images': 7})
    return run


def test_only_without_report_finishes_cleanly(tmp_path, monkeypatch,
                                              capsys):
    # Only the data-preparation work is replaced; the stage loop, result
    # files, resume check and final message are the real ones.
    calls = []
    monkeypatch.setitem(stages.RUNNERS, 'data', _fake_data_stage(calls))
    wd = str(tmp_path / 'demo')
    out = run(['--quick', '--work-dir', wd, '--only', 'data', '--jobs', '1'])
    assert calls == ['data'] and out['ran'] == ['data']
    result = out['results']['data']
    assert result == osp.join(wd, 'results', 'data.json')
    with open(result) as f:
        saved = json.load(f)
    assert saved['metrics'] == {'images': 7} and 'wall_s' in saved
    assert not osp.exists(osp.join(wd, 'results.json'))
    assert not osp.exists(osp.join(wd, 'report.md'))
    printed = capsys.readouterr().out
    assert 'ran 1 stage(s)' in printed and 'no report' in printed

    # a second call finds the stage done with the same settings
    main(['--quick', '--work-dir', wd, '--only', 'data', '--jobs', '1'])
    assert calls == ['data']
    assert 'done before, skipped' in capsys.readouterr().out


def test_only_rejects_unknown_stage(tmp_path):
    with pytest.raises(SystemExit, match=r"Unknown stage\(s\) \['nope'\]"):
        main(['--quick', '--work-dir', str(tmp_path), '--only', 'nope'])


def test_only_names_the_missing_earlier_stage(tmp_path):
    # the zero-shot stage of a student whose pre-training never ran: a
    # clear message naming the stage to run, not a traceback
    with pytest.raises(SystemExit, match=r"'zs_seed_s0' needs "
                       r".*seed_s0\.json.*run '--only seed_s0' first"):
        main(['--quick', '--work-dir', str(tmp_path), '--only',
              'zs_seed_s0', '--jobs', '1'])


@pytest.mark.e2e
def test_only_names_the_missing_stage_from_a_stage_process(tmp_path):
    with pytest.raises(SystemExit, match=r"'zs_seed_s0' needs "
                       r".*seed_s0\.json.*run '--only seed_s0' first"):
        main(['--quick', '--work-dir', str(tmp_path), '--only',
              'zs_seed_s0', '--jobs', '2'])


def test_help_lists_the_stages(capsys):
    with pytest.raises(SystemExit):
        main(['--help'])
    out = ' '.join(capsys.readouterr().out.split())
    for name in ('data', 'teacher', 'lgd_s0', 'seed_s2', 'zs_lgd_s0',
                 'det10_seed_s1', 'seg10_random_s0',
                 'report'):
        assert f' {name} ' in f' {out} '


def _cfg(path, scheds):
    from mmengine.config import Config
    path.write_text(f'param_scheduler = {scheds!r}\n')
    return Config.fromfile(str(path))


def test_schedule_follows_the_type_not_the_position(tmp_path):
    cosine = dict(type='CosineAnnealingLR', end=2)
    warmup = dict(type='LinearLR', end=20)
    kw = dict(CosineAnnealingLR=dict(end=9), LinearLR=dict(end=3))
    for scheds in ([warmup, cosine], [cosine, warmup]):
        cfg = _cfg(tmp_path / 'a.py', scheds)
        options.set_schedule(cfg, **kw)
        assert {s['type']: s['end'] for s in cfg.param_scheduler} == {
            'CosineAnnealingLR': 9, 'LinearLR': 3}
    with pytest.raises(ValueError, match='expected one StepLR'):
        options.set_schedule(cfg, StepLR=dict(end=1))
    twice = _cfg(tmp_path / 'c.py', [cosine, cosine])
    with pytest.raises(ValueError, match='found 2'):
        options.set_schedule(twice, CosineAnnealingLR=dict(end=1))


@pytest.mark.parametrize('config', [
    plan.TEACHER_CFG, *plan.PRETRAIN_CFGS.values(), plan.CACHED_CFG,
    plan.PROBE_CFG, plan.DET_CFG, plan.SEG_CFG
])
def test_demo_configs_have_the_schedulers_the_demo_sets(config):
    # found from the package, whatever the current directory
    from mmengine.config import Config

    from mmlgd.utils.configs import config_path
    cfg = Config.fromfile(config_path(config))
    options.set_schedule(cfg, CosineAnnealingLR=dict(end=5))
    assert [s['end'] for s in cfg.param_scheduler
            if s['type'] == 'CosineAnnealingLR'] == [5]


def test_per_class_accuracy(tmp_path):
    gt = [0, 0, 0, 1, 1, 2, 2, 2, 2]
    pred = [0, 1, 0, 1, 1, 0, 2, 1, 2]
    preds = [dict(gt_label=torch.tensor([g]), pred_label=torch.tensor([p]))
             for g, p in zip(gt, pred)]
    pkl = tmp_path / 'p.pkl'
    with open(pkl, 'wb') as f:
        pickle.dump(preds, f)
    got = stages._per_class(str(pkl), num_classes=4)
    # hits / count per class, by hand; class 3 has no samples
    assert got == pytest.approx([2 / 3, 1.0, 2 / 4, 0.0])


def test_stage_time_table_splits_each_stage_into_phases():
    prof = dict(startup_s=2.0, train_s=6.0, eval_s=3.0, metric_s=1.0)
    res = {f'r/det10_lgd_s{i}.json': dict(wall_s=11.0 + 2 * i, profile={
        k: v + i for k, v in prof.items()}) for i in range(2)}
    assert report.stage_time_rows(res) == [
        ('det10_lgd', 2, '2.5', '6.5', '3.5', '(1.5)', '12', '24')]
    line = report.wall_line(600.0, dict(wall_s=240.0, jobs=2, threads=1,
                                        ran=5, stage_s=420.0))
    assert line.startswith('Sum of stage times 10.0 min; wall time of the '
                           'call that wrote this report 4.0 min for the 5 ')
    assert '--jobs 2, 1 thread(s)' in line
    assert report.wall_line(60.0, dict(wall_s=1, jobs=2, threads=1, ran=0,
                                       stage_s=0)) == \
        'Sum of stage times 1.0 min.'
    rows = report.wall_rows({
        'old default': dict(wall=dict(wall_s=3000.0, jobs=1, threads=2),
                            stage_wall_s=3000.0),
        'new': dict(wall=dict(wall_s=1500.0, jobs=2, threads=1),
                    stage_wall_s=2900.0)})
    assert rows[1] == ('new', 2, 1, '25.0', '48.3', '0.50')


def test_stage_configs_are_found_from_any_directory(tmp_path, monkeypatch):
    # no chdir into the checkout: the stage config and the teacher config
    # it names are the package's own
    from mmlgd.utils.configs import config_path
    monkeypatch.chdir(tmp_path)
    cfg = stages._load(plan.ZS_TEACHER_CFG, {}, str(tmp_path / 'wd'))
    assert cfg.model.image_encoder.config == config_path(plan.TEACHER_CFG)
    assert osp.isfile(cfg.model.image_encoder.config)
    cfg = stages._load(plan.CACHED_CFG, {}, None)
    assert cfg.model.target_generator.teacher.config == \
        config_path(plan.TEACHER_CFG)


def test_automatic_jobs_one_for_quick_and_bad_values_refused(monkeypatch):
    from mmlgd.demo import pipeline, scheduler
    monkeypatch.setattr(scheduler, 'default_jobs', lambda: 7)
    assert pipeline.resolve_jobs(0, quick=False) == 7
    # the quick plan's stages are shorter than a stage process start
    assert pipeline.resolve_jobs(0, quick=True) == 1
    assert pipeline.resolve_jobs(3, quick=True) == 3
    with pytest.raises(ValueError, match='--jobs must be >= 0'):
        pipeline.resolve_jobs(-1, quick=False)
    with pytest.raises(ValueError, match='--threads must be >= 1'):
        run(['--quick', '--only', 'data', '--threads', '0'])


def test_stage_result_and_report_name_the_cpu_and_threads(tmp_path):
    ctx = stages.Context(str(tmp_path), {})
    results.run_stage(ctx, plan.Stage('toy_s0', 'toy', {}),
                      dict(toy=lambda ctx, stage: dict(metrics={})), 1, 1)
    prof = ctx.result('toy_s0')['profile']
    assert prof['cpu'] == torch.backends.cpu.get_cpu_capability()
    assert prof['threads'] == torch.get_num_threads()
    res = {'a.json': dict(profile=dict(cpu='AVX2', threads=1)),
           'b.json': dict(profile=dict(cpu='AVX2', threads=1)),
           'c.json': dict(profile=dict(threads=2)),
           'data.json': dict(metrics={})}
    assert report.machines_line(res) == (
        'Stages computed on: AVX2 CPU at 1 thread(s): 2; CPU not recorded '
        '(result from before it was), 2 thread(s): 1.')
    res['d.json'] = dict(profile=dict(cpu='AVX512', threads=1))
    line = report.machines_line(res)
    assert 'AVX512 CPU at 1 thread(s): 1' in line
    assert 'more than one kind of machine' in line
