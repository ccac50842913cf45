"""Every shipped config runs as it is launched: each family of configs
(:data:`mmlgd.testing.launch_check.FAMILIES`) is shrunk to tiny generated
data and a tiny teacher / text tower, then run in ONE torchrun launch of 2
CPU processes (gloo) through the library behind ``tools/train.py`` /
``tools/test.py --launcher pytorch`` (the code path of
``tools/dist_train.sh`` / ``tools/dist_test.sh``): 2 training iterations
and the config's validation, or one evaluation for test-only configs. DDP
must keep the ranks' parameters identical."""
import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest

from mmlgd.testing.launch_check import (
    FAMILIES,
    REQUIRES,
    family_of,
    shipped_configs,
    write_plan,
)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NPROC = 2


def test_every_shipped_config_is_in_a_family():
    """A config added later (BINGO, SEED variants, cached, custom-folder)
    fails here until a family of the launch test covers it."""
    configs = shipped_configs()
    assert len(configs) >= 60
    orphans = [c for c in configs if family_of(c) is None]
    assert not orphans, (
        f'configs no launch family covers: {orphans}; add a pattern to '
        'FAMILIES in mmlgd/testing/launch_check.py')
    assert family_of('lgd/lgd_clip-rn50_mobilenet-v2_8xb256-200e_'
                     'custom-folder.py') == 'folder'
    assert family_of('newalgo/newalgo_x.py') is None


def _launch(plan, port, timeout):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO + (
        os.pathsep + os.environ['PYTHONPATH']
        if os.environ.get('PYTHONPATH') else ''))
    cmd = [sys.executable, '-m', 'torch.distributed.run',
           f'--nproc_per_node={NPROC}', f'--master_port={port}',
           '-m', 'mmlgd.testing.launch_check', plan]
    return subprocess.run(cmd, cwd=osp.dirname(plan), env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.dist
@pytest.mark.e2e
@pytest.mark.parametrize('family', sorted({f for _, f in FAMILIES}))
def test_family_runs_as_launched(family, tiny_clip, free_port, tmp_path):
    configs = [c for c in shipped_configs() if family_of(c) == family]
    if not configs:
        pytest.skip(f'no shipped config in family {family!r} yet')
    for package in REQUIRES.get(family, ()):
        pytest.importorskip(package, reason=f'{family} configs need '
                            f'`{package}` (pip install {package})')
    plan = write_plan(family, str(tmp_path), tiny_clip, NPROC, configs)
    proc = _launch(plan, free_port, timeout=1200)
    ranks = []
    for r in range(NPROC):
        path = tmp_path / f'results_rank{r}.json'
        assert path.is_file(), (proc.stdout + proc.stderr)[-4000:]
        ranks.append(json.loads(path.read_text()))
    failed = {c: res['error'] for c, res in ranks[0].items()
              if not res['ok']}
    failed.update({c: res['error'] for c, res in ranks[1].items()
                   if not res['ok'] and c not in failed})
    assert not failed, '\n\n'.join(f'{c}:\n{e}' for c, e in failed.items())
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    for config in configs:
        res = [ranks[r][config] for r in range(NPROC)]
        assert all(x['world_size'] == NPROC for x in res), config
        if 'iter' in res[0]:  # trained 2 iterations under DDP
            assert all(x['iter'] == 2 for x in res), (config, res)
            assert all(x['wrapper'] == 'MMDistributedDataParallel'
                       for x in res), config
            # DDP averaged the gradients: identical, finite parameters
            assert res[0]['param_sum'] == res[1]['param_sum'], config
            assert math.isfinite(res[0]['param_sum']), config
        else:  # one evaluation; the metrics are gathered over both ranks
            assert res[0]['metrics'] and res[0]['metrics'] == \
                res[1]['metrics'], config
