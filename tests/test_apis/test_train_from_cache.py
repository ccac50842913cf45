"""tools/train.py CONFIG --teacher-cache DIR trains from a cache built by
tools/cache_teacher.py (the teacher is never built), and
tools/cache_teacher.py --help says what it does (builds the cache, trains
nothing). The cache is used only through the tools and
``mmlgd.apis.teacher_cache.cached_config``, as a user would."""
import os
import subprocess
import sys

import pytest
from _tiny_lgd import REPO, fixed_pipeline, write_images, write_lgd_config

from mmlgd.cli import train as train_cli
from mmlgd.models.teachers import OpenCLIPVisionTeacher


def _tool(*args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [REPO] + [p for p in os.environ.get('PYTHONPATH', '').split(
            os.pathsep) if p]))
    return subprocess.run(
        [sys.executable, os.path.join(REPO, 'tools', 'cache_teacher.py'),
         *args], capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.e2e
def test_train_with_teacher_cache(tiny_clip, tmp_path, monkeypatch):
    helped = _tool('--help')
    assert helped.returncode == 0, helped.stderr
    text = ' '.join(helped.stdout.split())
    assert 'trains nothing' in text
    assert 'tools/train.py CONFIG --teacher-cache DIR' in text

    write_images(str(tmp_path / 'imgs'), 4)
    cfg = write_lgd_config(
        str(tmp_path / 'cfg.py'), tiny_clip, str(tmp_path / 'imgs'),
        str(tmp_path / 'tsb'), pipeline=fixed_pipeline(),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=4),
        log_level='WARNING')
    cache = str(tmp_path / 'cache')
    built = _tool(cfg, '--views', '2', '--out', cache, '--workers', '0')
    assert built.returncode == 0, built.stderr[-2000:]
    assert f'--teacher-cache {cache}' in built.stdout

    def no_teacher(*args, **kwargs):
        raise AssertionError('the teacher was built')

    monkeypatch.setattr(OpenCLIPVisionTeacher, '__init__', no_teacher)
    with pytest.raises(FileNotFoundError, match='cache_teacher.py'):
        train_cli.run([cfg, '--teacher-cache', str(tmp_path / 'none')])
    runner = train_cli.run([cfg, '--teacher-cache', cache,
                             '--work-dir', str(tmp_path / 'work')])
    assert runner.iter == 4
    assert type(runner.model.target_generator).__name__ == 'CachedTeacher'
    assert type(runner.train_dataloader.dataset).__name__ == \
        'CachedViewDataset'
    assert runner.cfg.train_dataloader.sampler.type == 'CachedViewSampler'
    assert os.path.isfile(tmp_path / 'work' / 'iter_3.pth')
