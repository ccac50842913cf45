"""The demo's plan (students, transfer regimes, cache switch), the options
its stages pass to the OpenMMLab tools, and the report's seed statistics."""
import datetime
import json
import math
import os.path as osp
import statistics

import pytest

from mmlgd.cli.run_demo import build_parser, main
from mmlgd.demo import compare, plan, report, stages, tables


# ------------------------------------------------------------ statistics
def test_fmt_mean_and_sample_std():
    assert compare.fmt([]) == 'n/a'
    assert compare.fmt([None, 0.5], scale=100) == '50.0'
    # sample std of 1, 2, 4 by hand: mean 7/3, squares 16/9+1/9+25/9 = 42/9,
    # / (n - 1) = 21/9 -> 1.53
    assert compare.fmt([1.0, 2.0, 4.0]) == '2.3 ± 1.5 (n=3)'


def _t_test_p(d):
    """Two-sided paired t-test p from the t distribution's CDF by numeric
    integration of its density (independent of scipy.stats.ttest_rel)."""
    n = len(d)
    t = statistics.mean(d) / (statistics.stdev(d) / math.sqrt(n))
    k = n - 1
    c = math.gamma((k + 1) / 2) / (math.sqrt(k * math.pi) * math.gamma(k / 2))
    steps, hi = 200000, abs(t)
    h = hi / steps
    inner = sum(c * (1 + ((i + 0.5) * h) ** 2 / k) ** (-(k + 1) / 2) * h
                for i in range(steps))
    return 2 * (0.5 - inner)


def test_paired_differences_and_t_test():
    a = [80.0, 81.0, 79.5]
    b = [77.0, 78.5, 77.0]
    got = compare.paired(a, b)
    d = [3.0, 2.5, 2.5]
    assert got['n'] == 3
    assert got['mean'] == pytest.approx(statistics.mean(d))
    assert got['std'] == pytest.approx(statistics.stdev(d))
    assert got['p'] == pytest.approx(_t_test_p(d), abs=1e-4)
    assert got['separated'] is True
    # an inconsistent difference does not separate
    noisy = compare.paired([80.0, 79.0, 81.0], [79.5, 80.0, 80.0])
    assert noisy['p'] == pytest.approx(_t_test_p([0.5, -1.0, 1.0]),
                                       abs=1e-4)
    assert noisy['separated'] is False
    assert 'not separated' in compare.paired_cell(noisy)
    # p keeps two significant digits: 0.047 is not printed as 0.05
    cell = dict(n=3, mean=2.9, std=1.1, separated=True)
    assert compare.paired_cell({**cell, 'p': 0.0466}) == \
        '+2.9 ± 1.1, p=0.047 (separated)'
    assert compare.paired_cell({**cell, 'p': 2e-5}).endswith(
        'p<0.001 (separated)')


def test_paired_leaves_out_missing_pairs_and_needs_two():
    got = compare.paired([0.5, None, 0.7], [0.4, 0.3, None], scale=100)
    assert got['n'] == 1 and got['mean'] == pytest.approx(10.0)
    assert got['p'] is None and got['separated'] is False
    assert compare.paired_cell(got) == '+10.0 (n=1, no spread)'
    assert compare.paired_cell(compare.paired([], [])) == 'n/a'
    # identical differences: no spread, no test (not "separated")
    same = compare.paired([2.0, 3.0], [1.0, 2.0])
    assert same['std'] == 0 and same['p'] is None and not same['separated']


# ------------------------------------------------------------------ plan
def test_default_plan_has_seed_baseline_and_low_data_transfer():
    s = plan.make_settings(False)
    by_name = {st.name: st for st in plan.stage_list(s)}
    for seed in s['seeds']:
        st = by_name[f'seed_s{seed}']
        assert st.params['config'] == plan.PRETRAIN_CFGS['seed']
        # the same teacher, data, schedule and seed as LGD's run
        lgd = dict(by_name[f'lgd_s{seed}'].params)
        assert {**lgd, 'config': st.params['config']} == st.params
        # SEED checkpoints have a plain projector: zero-shot through it
        assert by_name[f'zs_seed_s{seed}'].params['neck'] == \
            'StudentProjector'
        assert 'neck' not in by_name[f'zs_lgd_s{seed}'].params
        assert f'probe_seed_s{seed}' in by_name
    assert not any(n.startswith('lgd-text-only') for n in by_name)
    det = [n for n in by_name if n.startswith('det10_')]
    seg = [n for n in by_name if n.startswith('seg10_')]
    inits = ['lgd', 'lgd-image-only', 'seed', 'random']
    assert len(det) == len(seg) == len(inits) * len(s['seeds'])
    for init in inits:
        for seed in s['seeds']:
            p = by_name[f'det10_{init}_s{seed}'].params
            assert p['student'] == (None if init == 'random'
                                    else f'{init}_s{seed}')
            assert p['seed'] == seed and p['iters'] == s['det_iters']
            assert p['train_scenes'] == 150   # 10% of 1500
    assert not any(n.startswith('teacher_cache') for n in by_name)


def test_teacher_cache_switch_adds_cache_and_cached_students():
    s = plan.make_settings(False, teacher_cache=4)
    names = [st.name for st in plan.stage_list(s)]
    by_name = {st.name: st for st in plan.stage_list(s)}
    assert names.index('teacher') < names.index('teacher_cache') \
        < names.index('lgd-cached_s0')
    p = by_name['lgd-cached_s0'].params
    assert p['config'] == plan.CACHED_CFG
    assert p['cache'] == 'teacher_cache' and p['views'] == 4
    assert p['epochs'] == by_name['lgd_s0'].params['epochs']
    assert by_name['teacher_cache'].params['config'] == \
        plan.PRETRAIN_CFGS['lgd']
    # the cached run is evaluated, not fine-tuned downstream
    assert 'zs_lgd-cached_s1' in names and 'probe_lgd-cached_s1' in names
    assert not any('lgd-cached' in n for n in names
                   if n.startswith(('det', 'seg')))


def test_baselines_add_seed_tt001_and_bingo_with_its_bags(tmp_path,
                                                         monkeypatch):
    s = plan.make_settings(False, students=plan.BASELINE_STUDENTS)
    names = [st.name for st in plan.stage_list(s)]
    by_name = {st.name: st for st in plan.stage_list(s)}
    # one neighbour stage, after the teacher, before every BINGO student
    bags = by_name[plan.BINGO_NEIGHBOURS]
    assert plan.needs(bags) == ['data', 'teacher']
    for seed in s['seeds']:
        assert names.index('teacher') < names.index(plan.BINGO_NEIGHBOURS) \
            < names.index(f'bingo_s{seed}')
        bingo = dict(by_name[f'bingo_s{seed}'].params)
        assert plan.needs(by_name[f'bingo_s{seed}']) == [
            'data', 'teacher', plan.BINGO_NEIGHBOURS]
        # otherwise the LGD run's teacher, data, schedule and seed
        lgd = by_name[f'lgd_s{seed}'].params
        assert bingo.pop('neighbours') == plan.BINGO_NEIGHBOURS
        assert {**lgd, 'config': bingo['config']} == bingo
        for v in ('seed-tt0.01', 'bingo'):  # no VSB: through the projector
            assert by_name[f'zs_{v}_s{seed}'].params['neck'] == \
                'StudentProjector'
            assert f'det10_{v}_s{seed}' in by_name
    assert by_name['seed-tt0.01_s0'].params['config'] == \
        plan.PRETRAIN_CFGS['seed-tt0.01']
    assert plan.BINGO_NEIGHBOURS not in [
        st.name for st in plan.stage_list(plan.make_settings(False))]

    # the stages point BINGO at the bags and restrict the wrapped dataset
    s = plan.make_settings(True, students=['lgd', 'bingo'])
    ctx = _ctx(tmp_path, s, {
        'teacher': dict(checkpoint='ck/teacher.pth'),
        plan.BINGO_NEIGHBOURS: dict(neighbour_file='wd/bags.npz')})
    calls = _capture(monkeypatch)
    by_name = {x.name: x for x in plan.stage_list(s)}
    stages._train(ctx, by_name['bingo_s0'])
    cfg = calls[0]
    assert cfg.model.type == 'BINGO'
    assert cfg.train_dataloader.dataset.neighbour_file == 'wd/bags.npz'
    assert cfg.train_dataloader.dataset.dataset.indices == 2048
    assert cfg.model.target_generator.checkpoint == 'ck/teacher.pth'
    from mmlgd.apis import bingo_neighbours
    built = []
    monkeypatch.setattr(bingo_neighbours, 'build_neighbours',
                        lambda cfg, out, force: built.append((cfg, out,
                                                              force)))
    out = stages._neighbours(ctx, by_name[plan.BINGO_NEIGHBOURS])
    cfg, path, force = built[0]
    assert out['neighbour_file'] == path == osp.join(
        str(tmp_path), plan.BINGO_NEIGHBOURS, 'neighbours.npz')
    assert cfg.model.target_generator.checkpoint == 'ck/teacher.pth'
    assert cfg.train_dataloader.dataset.dataset.indices == 2048


@pytest.mark.parametrize('kw, match', [
    (dict(students=['lgd', 'moco']), r"Unknown student\(s\) \['moco'\]"),
    (dict(transfer_fractions=[0.0]), r'must be in \(0, 1\]'),
    (dict(transfer_fractions=[1.5]), r'must be in \(0, 1\]'),
    (dict(transfer_seeds=[7]), 'among the pre-training --seeds'),
    (dict(teacher_cache=0), 'N >= 1'),
    (dict(transfer_backbone='linear'), '--transfer-backbone must be one of'),
])
def test_bad_choices_are_named(kw, match):
    with pytest.raises(ValueError, match=match):
        plan.make_settings(False, **kw)


def test_command_line_errors_exit_with_the_message(tmp_path):
    with pytest.raises(SystemExit, match='--transfer-seeds'):
        main(['--quick', '--work-dir', str(tmp_path), '--transfer-seeds',
              '3', '--only', 'data'])


def test_report_command_round_trips():
    s = plan.make_settings(False, seeds=[0, 1], students=['lgd', 'seed'],
                           transfer_fractions=[0.1, 1.0],
                           transfer_seeds=[1], teacher_cache=10,
                           transfer_backbone='finetune')
    cmd = report.command(s)
    assert cmd == ('python tools/run_demo.py --seeds 0 1 --students lgd '
                   'seed --transfer-fractions 0.1 1.0 --transfer-seeds 1 '
                   '--teacher-cache 10 --transfer-backbone finetune')
    # the command line parses back to the same choices
    args = build_parser().parse_args(cmd.split()[2:])
    assert (args.transfer_backbone, args.teacher_cache, args.seeds) == (
        'finetune', 10, [0, 1])
    assert report.command(plan.make_settings(False)) == \
        'python tools/run_demo.py'
    s = plan.make_settings(False, students=plan.BASELINE_STUDENTS)
    assert report.command(s) == 'python tools/run_demo.py --baselines'
    args = build_parser().parse_args(['--baselines'])
    assert args.baselines and args.students is None
    with pytest.raises(SystemExit):  # one or the other
        build_parser().parse_args(['--baselines', '--students', 'lgd'])


def test_report_header_names_command_date_and_seed_count():
    s = plan.make_settings(False, seeds=[0, 1, 2, 3, 4],
                           students=plan.BASELINE_STUDENTS)
    head = '\n'.join(report.header(s, today='2026-12-07'))
    assert head.startswith('# LGD on Fashion-MNIST: report')
    assert ('Command: `python tools/run_demo.py --seeds 0 1 2 3 4 '
            '--baselines`. Written on 2026-12-07 (UTC).') in head
    # without a date given, today's (UTC) is printed (either side of a
    # midnight that falls during the call)
    def today():
        return datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    before, head, after = today(), '\n'.join(report.header(s)), today()
    assert f'Written on {before}' in head or f'Written on {after}' in head
    assert 'with n = 5 seeds' in report.sep_note(5)
    assert 'with n = 3 seeds' in report.sep_note(3)


# -------------------------------------------------- options to the tools
def _ctx(tmp_path, settings, results):
    ctx = stages.Context(str(tmp_path), settings)
    for name, body in results.items():
        with open(ctx.result_path(name), 'w') as f:
            json.dump(body, f)
    return ctx


def _capture(monkeypatch, metrics=None):
    """Replace the Runner calls of the stages: record each config."""
    calls = []
    monkeypatch.setattr(stages, '_fit', lambda ctx, cfg: calls.append(cfg))
    monkeypatch.setattr(stages, '_evaluate', lambda ctx, cfg, ckpt, pkl=None:
                        calls.append((cfg, ckpt)) or dict(metrics or {}))
    return calls


def test_transfer_stage_fine_tunes_on_the_regime_scenes(tmp_path,
                                                        monkeypatch):
    s = plan.make_settings(False)
    ctx = _ctx(tmp_path, s, {'seed_s2': dict(checkpoint='ck/seed2.pth')})
    calls = _capture(monkeypatch, {'mIoU': 1.0})
    st = {x.name: x for x in plan.stage_list(s)}['seg10_seed_s2']
    stages._transfer(ctx, st)
    train, (test, ckpt) = calls[:2]
    assert train.model.backbone.init_cfg.checkpoint == 'ck/seed2.pth'
    assert train.train_dataloader.dataset.indices == 150
    assert train.randomness.seed == 2
    assert train.train_cfg.max_iters == s['seg_iters']
    assert train.val_dataloader is None  # trained without validation
    # the default transfer freezes the whole backbone, BN statistics too
    assert s['transfer_backbone'] == 'frozen'
    assert train.model.backbone.frozen_stages == 4
    assert train.model.backbone.norm_eval is True
    # tested with the checkpoint it wrote, on the same scenes
    assert ckpt == osp.join(str(tmp_path), 'seg10_seed_s2',
                            f'iter_{s["seg_iters"]}.pth')
    assert test.model.backbone.init_cfg is None
    assert test.test_dataloader.dataset.data_root == \
        train.train_dataloader.dataset.data_root == 'data/fmnist_scenes/'
    assert test.experiment_name == 'seg10_seed_s2_test'
    st = {x.name: x for x in plan.stage_list(s)}['det10_random_s1']
    stages._transfer(ctx, st)
    assert calls[2].model.backbone.init_cfg is None
    assert calls[2].randomness.seed == 1
    assert calls[3][0].test_evaluator.ann_file == \
        'data/fmnist_scenes/annotations/instances_val.json'
    # fine-tuning: no freezing options, and the mode is part of the stage's
    # params, so switching it re-runs the stage
    s = plan.make_settings(False, transfer_backbone='finetune')
    st = {x.name: x for x in plan.stage_list(s)}['det10_random_s1']
    assert st.params['backbone'] == 'finetune'
    stages._transfer(ctx, st)
    assert calls[4].model.backbone.get('frozen_stages', -1) != 4


def test_cached_pre_training_points_at_the_cache_and_teacher(tmp_path,
                                                             monkeypatch):
    s = plan.make_settings(True, teacher_cache=3)
    ctx = _ctx(tmp_path, s, {
        'teacher': dict(checkpoint='ck/teacher.pth'),
        'teacher_cache': dict(cache_dir='wd/teacher_cache_3v', bytes=1)})
    calls = _capture(monkeypatch)
    by_name = {x.name: x for x in plan.stage_list(s)}
    stages._train(ctx, by_name['lgd-cached_s0'])
    cfg = calls[0]
    assert cfg.filename.endswith(plan.CACHED_CFG.split('/')[-1])
    assert cfg.model.target_generator.cache_dir == 'wd/teacher_cache_3v'
    assert cfg.train_dataloader.dataset.cache_dir == 'wd/teacher_cache_3v'
    assert cfg.train_dataloader.dataset.num_views == 3
    assert cfg.model.target_generator.teacher.checkpoint == 'ck/teacher.pth'
    # the wrapped dataset, restricted like the online run's
    assert cfg.train_dataloader.dataset.dataset.indices == 2048
    stages._train(ctx, by_name['lgd_s0'])
    assert calls[1].train_dataloader.dataset.indices == 2048
    assert calls[1].model.target_generator.checkpoint == 'ck/teacher.pth'
    assert [p.end for p in calls[1].param_scheduler
            if p.type == 'CosineAnnealingLR'] == [s['lgd_epochs']]

    from mmlgd.apis import teacher_cache
    built = []
    monkeypatch.setattr(teacher_cache, 'build_teacher_cache',
                        lambda cfg, out, views, seed, **kw:
                        built.append((cfg, out, views, seed)) or
                        dict(bytes=8))
    out = stages._cache(ctx, by_name['teacher_cache'])
    cfg, path, views, seed = built[0]
    assert (path, views, seed) == (
        osp.join(str(tmp_path), 'teacher_cache_3v'), 3, 0)
    assert cfg.model.target_generator.checkpoint == 'ck/teacher.pth'
    assert cfg.train_dataloader.dataset.indices == 2048
    assert out['cache_dir'] == path and out['bytes'] == 8


def test_seed_zero_shot_swaps_the_neck(tmp_path, monkeypatch):
    s = plan.make_settings(False)
    ctx = _ctx(tmp_path, s, {'seed_s1': dict(checkpoint='ck/seed1.pth'),
                             'lgd_s1': dict(checkpoint='ck/lgd1.pth')})
    calls = _capture(monkeypatch)
    monkeypatch.setattr(stages, '_per_class', lambda pkl: [])
    by_name = {x.name: x for x in plan.stage_list(s)}
    stages._zero_shot(ctx, by_name['zs_seed_s1'])
    stages._zero_shot(ctx, by_name['zs_lgd_s1'])
    assert calls[0][1] == 'ck/seed1.pth'
    assert calls[0][0].model.neck.type == 'StudentProjector'
    assert calls[1][0].model.neck.type != 'StudentProjector'


# ---------------------------------------------------------------- tables
def test_transfer_tables_from_results(tmp_path):
    s = plan.make_settings(False, seeds=[0, 1, 2])
    miou = {'lgd': [40.0, 41.0, 42.0], 'random': [35.0, 35.5, 37.5],
            'seed': [39.0, 40.0, 41.5], 'lgd-image-only': [38, 41, 40]}
    res = {}
    for init, vals in miou.items():
        for seed, v in enumerate(vals):
            res[f'seg10_{init}_s{seed}'] = dict(metrics={'mIoU': v},
                                                wall_s=10.0)
            res[f'det10_{init}_s{seed}'] = dict(metrics={
                'coco/bbox_mAP': v / 200, 'coco/segm_mAP': v / 500})
    ctx = _ctx(tmp_path, s, res)
    rows = {r[0]: r[1:] for r in tables.transfer_rows(ctx, 0.1)}
    assert rows['LGD (w_tex = w_vis = 0.5)'] == (
        '20.5 ± 0.5 (n=3)', '8.2 ± 0.2 (n=3)', '41.0 ± 1.0 (n=3)')
    cmp = {r[0]: r[1:] for r in tables.transfer_comparisons(ctx, 0.1)}
    lgd_vs_random = cmp['LGD (w_tex = w_vis = 0.5) - random init']
    d = [5.0, 5.5, 4.5]   # LGD - random mIoU per seed
    want = compare.paired_cell(dict(
        n=3, mean=statistics.mean(d), std=statistics.stdev(d),
        p=_t_test_p(d), separated=_t_test_p(d) < 0.05))
    assert lgd_vs_random[2].split(', p=')[0] == want.split(', p=')[0]
    assert 'separated' in lgd_vs_random[2]
    assert set(cmp) == {
        'LGD (w_tex = w_vis = 0.5) - random init',
        'LGD image-only ablation (w_tex = 0) - random init',
        'SEED baseline (instance queue, no text; tau_t = 1e-4) - random '
        'init',
        'LGD (w_tex = w_vis = 0.5) - LGD image-only ablation (w_tex = 0)',
        'LGD (w_tex = w_vis = 0.5) - SEED baseline (instance queue, no '
        'text; tau_t = 1e-4)'}
    groups = {r[0]: r[1:] for r in report.stage_time_rows(
        {ctx.result_path(n): b for n, b in res.items()})}
    # no profile recorded: the phases are shown as unknown
    assert groups['seg10_lgd'] == (3, '-', '-', '-', '-', '10', '30')


def test_seed_temperature_pair_is_compared_when_both_ran(tmp_path):
    s = plan.make_settings(False, students=['lgd', 'seed', 'seed-tt0.01'])
    zs = dict(lgd=[80.0, 81.0, 79.0], seed=[76.0, 77.0, 78.0],
              **{'seed-tt0.01': [78.0, 80.0, 79.0]})
    res = {f'{k}_{v}_s{seed}': dict(metrics={'accuracy/top1': acc})
           for v, accs in zs.items() for seed, acc in enumerate(accs)
           for k in ('zs', 'probe')}
    ctx = _ctx(tmp_path, s, res)
    rows = {r[0]: r[1:] for r in tables.classification_comparisons(ctx)}
    tt = tables.LABELS['seed-tt0.01']
    seed = tables.LABELS['seed']
    assert set(rows) == {f'LGD - {seed}', f'LGD - {tt}', f'{tt} - {seed}'}
    d = [a - b for a, b in zip(zs['seed-tt0.01'], zs['seed'])]
    assert rows[f'{tt} - {seed}'][0].startswith(
        f'{statistics.mean(d):+.1f} ± {statistics.stdev(d):.1f}, ')
    # without the pair's second student, no such row
    s = plan.make_settings(False, students=['lgd', 'seed-tt0.01'])
    rows = tables.classification_comparisons(_ctx(tmp_path, s, res))
    assert [r[0] for r in rows] == [f'LGD - {tt}']
