"""Teacher cache build: atomic shards named when bad, resumable, 2 ranks ==
1 rank, the command line (build is still the default command)."""
import os

import pytest
from mmpretrain.registry import DATASETS

from mmlgd.cli.cache_teacher import main, run
from mmlgd.teacher_cache import TeacherCacheStore, build_teacher_cache
from mmlgd.teacher_cache import build as build_mod
from mmlgd.teacher_cache.store import params_path, shard_path

N, SEED = 2, 3  # as the ``cache`` fixture (conftest.py) builds


def _files(out):
    return {name: open(os.path.join(out, name), 'rb').read()
            for name in sorted(os.listdir(out))
            if name.startswith(('shard-', 'params-', 'images'))}


def test_missing_or_truncated_shard_is_named(cache, tmp_path):
    cfg, _, _ = cache
    out = str(tmp_path / 'c')
    build_teacher_cache(cfg, out, N, seed=SEED, shard_size=2)
    victim = shard_path(out, 1)
    data = open(victim, 'rb').read()
    with open(victim, 'wb') as f:
        f.write(data[:-7])
    with pytest.raises(ValueError, match='shard-000001.npy is truncated'):
        TeacherCacheStore(out)
    os.remove(victim)
    with pytest.raises(FileNotFoundError, match='shard-000001.npy is missing'):
        DATASETS.build(dict(type='CachedViewDataset', cache_dir=out,
                          dataset=dict(cfg.train_dataloader.dataset)))


def test_killed_build_resumes(cache, monkeypatch, tmp_path, capsys):
    cfg, ref, _ = cache
    out = str(tmp_path / 'c')
    calls = []
    real = build_mod.replay_view

    def dies_in_third_shard(dataset, i, v, seed, **kw):
        calls.append((i, v))
        if i == 4:
            raise KeyboardInterrupt
        return real(dataset, i, v, seed, **kw)

    monkeypatch.setattr(build_mod, 'replay_view', dies_in_third_shard)
    with pytest.raises(KeyboardInterrupt):
        build_teacher_cache(cfg, out, N, seed=SEED, shard_size=2)
    assert sorted(os.listdir(out)) == [  # no temporary file
        'build.json', 'params-000000.npy', 'params-000001.npy',
        'shard-000000.npy', 'shard-000001.npy']
    with pytest.raises(FileNotFoundError, match='manifest.json'):
        TeacherCacheStore(out)  # an unfinished build is refused
    os.remove(params_path(out, 1))  # a shard without its parameters
    calls.clear()
    monkeypatch.setattr(build_mod, 'replay_view',
                        lambda *a, **k: calls.append(a[1:3]) or real(*a, **k))
    capsys.readouterr()
    build_teacher_cache(cfg, out, N, seed=SEED, shard_size=2)
    assert calls == [(2, 0), (2, 1), (3, 0), (3, 1), (4, 0), (4, 1)]
    assert "Resuming: 1 of rank 0's 3 shards are complete" in \
        capsys.readouterr().out
    assert _files(out) == _files(ref)


def test_cli_prints_disk_estimate_and_skips_a_complete_cache(
        cache, tmp_path, capsys):
    _, _, root = cache
    out = str(tmp_path / 'c')
    args = [str(root / 'cfg.py'), '--views', '2', '--out', out, '--seed',
            str(SEED), '--shard-size', '2', '--workers', '0']
    manifest = run(args)  # the original form, no command word
    text = capsys.readouterr().out
    # 5 images x 2 views x 32 dims x 2 bytes
    assert manifest['bytes'] == 5 * 2 * 32 * 2 == 640
    assert '5 images x 2 views x 32 dims x float16' in text
    stamp = os.stat(shard_path(out, 0)).st_mtime_ns
    assert run(['build'] + args)['key'] == manifest['key']
    assert os.stat(shard_path(out, 0)).st_mtime_ns == stamp


def test_cli_errors_are_one_line_and_say_what_to_do(cache, tmp_path,
                                                   monkeypatch):
    _, _, root = cache
    out = str(tmp_path / 'c')
    args = [str(root / 'cfg.py'), '--views', '2', '--out', out, '--seed',
            str(SEED), '--shard-size', '2', '--workers', '0']
    run(args)
    other = args[:2] + ['3'] + args[3:]   # another N into the same folder
    with pytest.raises(SystemExit, match=r'^error: .*another '
                       r'num_views.*rerun with --force'):
        main(other)
    assert run(other + ['--force'])['bytes'] == 5 * 3 * 32 * 2

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(build_mod, 'build_teacher_cache', interrupted)
    with pytest.raises(SystemExit, match='interrupted.*rerun the same '
                       'command'):
        main(args)
    with pytest.raises(SystemExit, match='^error: .*manifest.json '
                       'does not exist'):
        main(['info', str(tmp_path / 'nothing')])


@pytest.mark.dist
@pytest.mark.e2e
def test_two_rank_build_equals_one_rank_build(cache, tmp_path):
    """torchrun, 2 ranks (gloo): each builds its shards (s % 2), rank 0
    writes the manifest; the result is byte-identical to a 1-process one."""
    import socket
    import subprocess
    import sys

    from _tiny_lgd import REPO
    cfg, ref, root = cache
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    out = str(tmp_path / 'c')
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    proc = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node',
         '2', '--master_port', str(port),
         os.path.join(REPO, 'tools', 'cache_teacher.py'), str(root / 'cfg.py'),
         '--views', str(N), '--out', out, '--seed', str(SEED),
         '--shard-size', '2', '--batch-size', '4', '--workers', '0',
         '--launcher', 'pytorch'],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=240)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert TeacherCacheStore(out).key == TeacherCacheStore(ref).key
    assert _files(out) == _files(ref)
