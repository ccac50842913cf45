"""The demo's verdicts across independent runs
(:mod:`mmlgd.demo.across_runs`, ``tools/analysis_tools/compare_demo_runs.py``)
on hand-made ``results.json`` files whose verdicts are known by
construction."""
import json
import math
import statistics

import pytest

from mmlgd.cli.compare_demo_runs import main
from mmlgd.cli.run_demo import settings_of_command
from mmlgd.demo import plan, report
from mmlgd.demo.across_runs import SavedRun, across_runs, held, verdict
from mmlgd.demo.compare import paired

SEEDS = (0, 1, 2)
# per-seed values: a consistent +3 (separated), a consistent -2
# (separated, negative) and a +/-1 that flips sign (not separated)
UP = ([80.0, 81.0, 79.5], [77.0, 78.5, 77.0])
DOWN = ([10.0, 11.0, 12.0], [12.0, 13.2, 13.9])
NOISE = ([80.0, 79.0, 81.0], [79.5, 80.0, 80.0])


def _summary(seeds, zs, probe, bbox, students=('lgd', 'seed')):
    """A results.json with LGD, SEED and random init: zero-shot, probe and
    bbox mAP (LGD vs SEED) as given; everything else equal (no test)."""
    s = plan.make_settings(False, list(seeds), students=list(students))
    metrics = {}
    for i, seed in enumerate(seeds):
        for v, k in (('lgd', 0), ('seed', 1)):
            if v not in students:
                continue
            metrics[f'zs_{v}_s{seed}'] = {'accuracy/top1': zs[k][i]}
            metrics[f'probe_{v}_s{seed}'] = {'accuracy/top1': probe[k][i]}
        box = {'lgd': bbox[0][i], 'seed': bbox[1][i], 'random': 5.0}
        for init in [*students, 'random']:
            metrics[f'det10_{init}_s{seed}'] = {
                'coco/bbox_mAP': box[init] / 100, 'coco/segm_mAP': 0.1}
            metrics[f'seg10_{init}_s{seed}'] = {'mIoU': 20.0}
    return dict(command=report.command(s), metrics=metrics), s


def _rows(text):
    """{(comparison, metric): (cells..., held)} of every table row."""
    out = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip('|').split('|')]
        if line.startswith('| ') and len(cells) >= 4 and \
                not cells[0].startswith('comparison'):
            out[(cells[0], cells[1])] = cells[2:]
    return out


def test_verdict_and_held():
    up, down, noise = (paired(*x) for x in (UP, DOWN, NOISE))
    assert (verdict(up), verdict(down), verdict(noise)) == (
        'separated (+)', 'separated (-)', 'not separated')
    assert verdict(paired([1.0], [0.0])) is None  # one seed: no test
    assert held([up, up]) == 'yes: separated (+)'
    assert held([noise, noise]) == 'yes: not separated'
    assert held([up, noise]) == 'no'
    assert held([up, down]) == 'no'  # separated both times, sign flips
    assert held([up, paired([], [])]) == 'n/a'


def test_across_runs_pairs_within_each_run():
    # run A: zero-shot +3 separated, probe noise, bbox +3 separated;
    # run B (other seeds): zero-shot +3 again, bbox only noise
    a, sa = _summary(SEEDS, UP, NOISE, UP)
    b, sb = _summary((5, 6, 7), UP, NOISE, NOISE)
    text = across_runs([SavedRun(a, sa, 'run 1'), SavedRun(b, sb, 'run 2')])
    rows = _rows(text)
    lgd_seed = ('LGD - SEED baseline (instance queue, no text; '
                'tau_t = 1e-4)')
    zs = rows[(lgd_seed, 'zero-shot top-1')]
    # d = 3.0, 2.5, 2.5: t = mean / (std / sqrt 3); for 2 degrees of
    # freedom the two-sided p is 1 - t / sqrt(t^2 + 2) in closed form
    d = [x - y for x, y in zip(*UP)]
    t = statistics.mean(d) / (statistics.stdev(d) / math.sqrt(3))
    p = 1 - t / math.sqrt(t * t + 2)
    assert zs[0] == zs[1] == f'+2.7 ± 0.3, p={p:.2g} (separated)'
    assert zs[2] == 'yes: separated (+)'
    assert rows[(lgd_seed, 'linear probe top-1')][2] == 'yes: not separated'
    # the transfer tables name LGD by its full label, as the report does
    bbox = rows[('LGD (w_tex = w_vis = 0.5) - ' + lgd_seed[6:], 'bbox mAP')]
    assert bbox[0].endswith('(separated)') and bbox[2] == 'no'
    assert bbox[1].endswith('(not separated)')
    # LGD - random: bbox (~80 vs 5 points) in both; mIoU exactly equal
    lgd_random = 'LGD (w_tex = w_vis = 0.5) - random init'
    assert rows[(lgd_random, 'bbox mAP')][2] == 'yes: separated (+)'
    assert rows[(lgd_random, 'mIoU')][2] == 'yes: not separated'
    assert ('- run 2: [5, 6, 7] (seeds), [5, 6, 7] (transfer seeds); '
            '`python tools/run_demo.py --seeds 5 6 7 --students lgd seed`'
            ) in text
    assert '## Transfer, 10% of the training scenes (points)' in text


def test_a_comparison_one_run_lacks_is_na():
    a, sa = _summary(SEEDS, UP, NOISE, UP)
    b, sb = _summary(SEEDS, UP, NOISE, UP, students=('lgd',))
    rows = _rows(across_runs([SavedRun(a, sa, 'a'), SavedRun(b, sb, 'b')]))
    cells = rows[('LGD - SEED baseline (instance queue, no text; '
                  'tau_t = 1e-4)', 'zero-shot top-1')]
    assert cells[1] == 'n/a' and cells[2] == 'n/a'


def test_bad_input_is_named():
    a, sa = _summary(SEEDS, UP, NOISE, UP)
    with pytest.raises(ValueError, match='two or more runs'):
        across_runs([SavedRun(a, sa, 'a')])
    with pytest.raises(ValueError, match='labels must differ'):
        across_runs([SavedRun(a, sa, 'a'), SavedRun(a, sa, 'a')])
    with pytest.raises(ValueError, match='no per-stage "metrics"'):
        SavedRun({'command': a['command']}, sa, 'a')
    with pytest.raises(ValueError, match='not a tools/run_demo.py command'):
        settings_of_command('python tools/train.py x.py')


@pytest.mark.parametrize('argv', [
    [], ['--baselines', '--seeds', '0', '1', '2', '3', '4'],
    ['--quick', '--teacher-cache', '2', '--transfer-fractions', '0.1', '1.0'],
    ['--students', 'lgd', 'lgd-text-only', '--seeds', '3', '4',
     '--transfer-seeds', '3', '--transfer-backbone', 'finetune']])
def test_settings_of_command_round_trips(argv):
    from mmlgd.cli.run_demo import build_parser, choices
    args = build_parser().parse_args(argv)
    s = plan.make_settings(args.quick, args.seeds, None, **choices(args))
    assert settings_of_command(report.command(s)) == s


def test_cli_writes_once_and_refuses_to_overwrite(tmp_path, capsys):
    paths = []
    for name, seeds, bbox in (('run1', SEEDS, UP), ('run2', (5, 6, 7), UP)):
        (tmp_path / name).mkdir()
        summary, _ = _summary(seeds, UP, NOISE, bbox)
        paths.append(str(tmp_path / name / 'results.json'))
        with open(paths[-1], 'w') as f:
            json.dump(summary, f)
    assert main(paths) == 0
    printed = capsys.readouterr().out
    assert '| comparison (paired, within each run) | metric | run1 | run2 |' \
        in printed
    out = str(tmp_path / 'held.md')
    assert main([*paths, '--labels', 'A', 'B', '--out', out]) == 0
    assert '| A | B |' in open(out).read()
    with pytest.raises(SystemExit) as err:
        main([*paths, '--out', out])
    assert err.value.code == 1 and 'exists' in str(err.value)
    with pytest.raises(SystemExit) as err:
        main([*paths, '--labels', 'A'])
    assert err.value.code == 1 and 'one per file' in str(err.value)
    with open(paths[1], 'w') as f:
        json.dump({'metrics': {}}, f)
    with pytest.raises(SystemExit) as err:
        main(paths)
    assert err.value.code == 1 and 'no "command"' in str(err.value)
