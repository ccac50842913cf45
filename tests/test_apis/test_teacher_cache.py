"""Teacher-embedding cache (issue 12): exact view replay, cached step ==
online step, keyed refusal, named bad shards, resumable build."""
import os
import random

import numpy as np
import pytest
import torch
from _tiny_lgd import fixed_pipeline, write_images, write_lgd_config
from mmengine.config import Config
from mmengine.dataset import DefaultSampler, default_collate
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS, MODELS
from tiny_clip import write_tiny_clip

from mmlgd.apis import teacher_cache as tc
from mmlgd.datasets import CachedViewDataset, CachedViewSampler
from mmlgd.datasets.view_replay import replay_view, view_seed
from mmlgd.utils.teacher_cache import TeacherCacheStore, shard_path

N = 2


@pytest.fixture(scope='module')
def setup(tiny_clip, tmp_path_factory):
    """A tiny LGD config over 5 random PNGs and its cache (N=2, 3 shards)."""
    init_default_scope('mmpretrain')
    root = tmp_path_factory.mktemp('cache')
    write_images(str(root / 'imgs'), 5)
    path = write_lgd_config(str(root / 'cfg.py'), tiny_clip,
                            str(root / 'imgs'), str(root / 'tsb'))
    cfg = Config.fromfile(path)
    out = str(root / 'cache')
    tc.build_teacher_cache(cfg, out, N, seed=3, shard_size=2, batch_size=4)
    return cfg, out, root


def _dataset(cfg, out, **kw):
    return CachedViewDataset(dict(cfg.train_dataloader.dataset), out, **kw)


def test_replay_is_bit_identical_to_the_built_view(setup, monkeypatch,
                                                   tmp_path):
    cfg, _, _ = setup
    seen = []
    real = tc.replay_view

    def spy(dataset, i, v, seed):
        out = real(dataset, i, v, seed)
        seen.append(((i, v), out['inputs'][0].clone()))
        return out

    monkeypatch.setattr(tc, 'replay_view', spy)
    out = str(tmp_path / 'c')
    tc.build_teacher_cache(cfg, out, N, seed=3, shard_size=2, batch_size=4)
    assert [k for k, _ in seen] == [(i, v) for i in range(5)
                                    for v in range(N)]
    ds = _dataset(cfg, out)
    for (i, v), built in seen:
        item = ds[(i, v)]
        assert torch.equal(item['inputs'][0], built), (i, v)
        assert (item['data_samples'].cache_index,
                item['data_samples'].cache_view) == (i, v)
    # independent reference: seed the three RNGs by hand, run the pipeline
    raw = DATASETS.build(cfg.train_dataloader.dataset)
    for (i, v), built in seen:
        s = view_seed(i, v, 3)
        random.seed(s)
        np.random.seed(s)
        torch.manual_seed(s)
        assert torch.equal(raw.pipeline(raw.get_data_info(i))['inputs'][0],
                           built)
    assert not torch.equal(seen[0][1], seen[1][1])  # views of an image


def test_replay_restores_global_rngs(setup):
    cfg, _, _ = setup
    raw = DATASETS.build(cfg.train_dataloader.dataset)
    np.random.seed(11)
    random.seed(11)
    torch.manual_seed(11)
    replay_view(raw, 0, 1, 3)
    a = (np.random.rand(), random.random(), torch.rand(1))
    np.random.seed(11)
    random.seed(11)
    torch.manual_seed(11)
    assert a == (np.random.rand(), random.random(), torch.rand(1))


def test_cached_step_matches_online_step(setup):
    cfg, out, _ = setup
    torch.manual_seed(0)
    online = MODELS.build(cfg.model)
    cached_cfg = tc.cached_config(cfg, out, num_views=N)
    cached = MODELS.build(cached_cfg.model)
    assert not any(True for _ in cached.target_generator.parameters())
    cached.load_state_dict(online.state_dict(), strict=True)
    ds = DATASETS.build(cached_cfg.train_dataloader.dataset)
    batch = default_collate([ds[(i, v)] for i, v in
                             [(0, 1), (3, 0), (4, 1), (1, 0)]])

    def step(model, fp16_teacher=False):
        model.train()
        model.zero_grad()
        data = model.data_preprocessor(batch, True)
        if fp16_teacher:  # the online teacher, z_T rounded as stored
            teacher = model.target_generator.forward
            model.target_generator.forward = lambda x: torch.nn.functional\
                .normalize(teacher(x).half().float(), dim=1)
        losses = model.loss(data['inputs'], data['data_samples'])
        loss = sum(v for k, v in losses.items() if k.startswith('loss'))
        loss.backward()
        grads = {k: p.grad.clone() for k, p in model.named_parameters()
                 if p.grad is not None}
        return float(loss.detach()), grads, model.neck.vsb.clone()

    sd = {k: v.clone() for k, v in online.state_dict().items()}
    l_on, g_on, vsb_on = step(online)
    online.load_state_dict(sd, strict=True)
    l_16, g_16, vsb_16 = step(online, fp16_teacher=True)
    l_c, g_c, vsb_c = step(cached)
    assert set(g_c) == set(g_on) and g_c
    # vs the online step: equal within the fp16 rounding of z_T
    assert l_c == pytest.approx(l_on, rel=2e-3, abs=2e-3)
    torch.testing.assert_close(vsb_c, vsb_on, atol=2e-3, rtol=0)
    # vs the online step with z_T rounded to fp16: equal to float precision
    assert l_c == pytest.approx(l_16, rel=1e-5, abs=1e-6)
    torch.testing.assert_close(vsb_c, vsb_16, atol=1e-3, rtol=0)
    for k in g_on:
        torch.testing.assert_close(g_c[k], g_16[k], atol=1e-5, rtol=1e-4)
        scale = float(g_on[k].abs().max()) + 1e-12
        assert float((g_c[k] - g_on[k]).abs().max()) <= 0.02 * scale, k


def test_stored_embeddings_are_the_teachers(setup):
    cfg, out, _ = setup
    teacher = MODELS.build(cfg.model.target_generator)
    pre = MODELS.build(cfg.model.data_preprocessor)
    ds = _dataset(cfg, out)
    store = TeacherCacheStore(out)
    pairs = [(i, v) for i in range(5) for v in range(N)]
    x = pre(default_collate([ds[p] for p in pairs]), False)['inputs'][0]
    want = teacher(x)
    got = torch.from_numpy(store.lookup(*zip(*pairs)).astype(np.float32))
    assert store.lookup([0], [0]).dtype == np.float16
    torch.testing.assert_close(got, want, atol=2e-3, rtol=0)


@pytest.mark.parametrize('part', ['teacher', 'pipeline', 'dataset',
                                  'num_views'])
def test_cache_for_other_setting_is_refused(setup, part, tmp_path):
    cfg, out, root = setup
    ds_cfg = dict(cfg.train_dataloader.dataset)
    with pytest.raises(ValueError, match=f'another {part}'):
        if part == 'teacher':
            _, weights = write_tiny_clip(str(tmp_path), seed=1)
            teacher = dict(cfg.model.target_generator, pretrained=weights)
            MODELS.build(dict(type='CachedTeacher', cache_dir=out,
                              teacher=teacher,
                              data_preprocessor=cfg.model.data_preprocessor))
        elif part == 'pipeline':
            CachedViewDataset(dict(ds_cfg, pipeline=fixed_pipeline()), out)
        elif part == 'dataset':
            write_images(str(tmp_path / 'imgs'), 6)
            CachedViewDataset(dict(ds_cfg, data_root=str(tmp_path / 'imgs')),
                              out)
        else:
            _dataset(cfg, out, num_views=3)
    # building into the folder with another N is refused too, unless force
    with pytest.raises(ValueError, match='another num_views'):
        tc.build_teacher_cache(cfg, out, N + 1, seed=3, shard_size=2)


def test_matching_teacher_is_accepted_without_loading_weights(setup):
    cfg, out, _ = setup
    t = MODELS.build(dict(type='CachedTeacher', cache_dir=out,
                          teacher=cfg.model.target_generator,
                          data_preprocessor=cfg.model.data_preprocessor))
    assert t.embed_dim == 32 and not list(t.state_dict())
    with pytest.raises(ValueError, match='CachedViewSampler'):
        t(torch.zeros(1, 3, 32, 32), None)


def test_missing_or_truncated_shard_is_named(setup, tmp_path):
    cfg, _, _ = setup
    out = str(tmp_path / 'c')
    tc.build_teacher_cache(cfg, out, N, seed=3, shard_size=2)
    victim = shard_path(out, 1)
    data = open(victim, 'rb').read()
    with open(victim, 'wb') as f:
        f.write(data[:-7])
    with pytest.raises(ValueError, match='shard-000001.npy is truncated'):
        TeacherCacheStore(out)
    os.remove(victim)
    with pytest.raises(FileNotFoundError, match='shard-000001.npy is missing'):
        MODELS.build(dict(type='CachedTeacher', cache_dir=out,
                          teacher=cfg.model.target_generator))


def test_killed_build_resumes(setup, monkeypatch, tmp_path, capsys):
    cfg, ref, _ = setup
    out = str(tmp_path / 'c')
    calls = []
    real = tc.replay_view

    def dies_in_third_shard(dataset, i, v, seed):
        calls.append((i, v))
        if i == 4:
            raise KeyboardInterrupt
        return real(dataset, i, v, seed)

    monkeypatch.setattr(tc, 'replay_view', dies_in_third_shard)
    with pytest.raises(KeyboardInterrupt):
        tc.build_teacher_cache(cfg, out, N, seed=3, shard_size=2)
    assert sorted(os.listdir(out)) == ['build.json', 'shard-000000.npy',
                                       'shard-000001.npy']  # no tmp file
    with pytest.raises(FileNotFoundError, match='manifest.json'):
        TeacherCacheStore(out)  # an unfinished build is refused
    calls.clear()
    monkeypatch.setattr(tc, 'replay_view', lambda *a: calls.append(a[1:3])
                        or real(*a))
    capsys.readouterr()
    tc.build_teacher_cache(cfg, out, N, seed=3, shard_size=2)
    assert calls == [(4, 0), (4, 1)]  # only the unfinished shard
    assert "Resuming: 2 of rank 0's 3 shards are complete" in \
        capsys.readouterr().out
    for s in range(3):
        assert open(shard_path(out, s), 'rb').read() == open(
            shard_path(ref, s), 'rb').read()


def test_sampler_draws_one_view_per_image_per_epoch(setup):
    cfg, out, _ = setup
    ds = _dataset(cfg, out)
    sampler = CachedViewSampler(ds, shuffle=True, seed=5)
    plain = DefaultSampler(ds, shuffle=True, seed=5)
    epochs = []
    for epoch in range(4):
        sampler.set_epoch(epoch)
        plain.set_epoch(epoch)
        pairs = list(sampler)
        assert [i for i, _ in pairs] == list(plain)  # same order/sharding
        assert pairs == list(sampler)  # deterministic
        epochs.append([v for _, v in sorted(pairs)])
    assert all(0 <= v < N for e in epochs for v in e)
    assert len({tuple(e) for e in epochs}) > 1  # views change by epoch
    with pytest.raises(TypeError, match='CachedViewSampler'):
        ds[0]


def test_runner_trains_from_the_cache(setup, tmp_path):
    from mmengine.runner import Runner
    cfg, out, _ = setup
    run = tc.cached_config(cfg, out)
    run.work_dir = str(tmp_path / 'work')
    run.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2)
    run.default_hooks.checkpoint = None
    run.log_level = 'WARNING'
    runner = Runner.from_cfg(run)
    seen = []
    forward = runner.model.target_generator.forward
    runner.model.target_generator.forward = lambda x, s: seen.append(
        [(d.cache_index, d.cache_view) for d in s]) or forward(x, s)
    runner.train()
    assert len(seen) == 2 and all(len(b) == 2 for b in seen)
    assert all(0 <= i < 5 and 0 <= v < N for b in seen for i, v in b)
    assert runner.model.neck.vsb_initialized.any()


def test_cli_prints_disk_estimate_and_skips_a_complete_cache(
        setup, tmp_path, capsys):
    cfg, _, root = setup
    out = str(tmp_path / 'c')
    args = [str(root / 'cfg.py'), '--views', '2', '--out', out, '--seed', '3',
            '--shard-size', '2', '--workers', '0']
    manifest = tc.main(args)
    text = capsys.readouterr().out
    # 5 images x 2 views x 32 dims x 2 bytes
    assert manifest['bytes'] == 5 * 2 * 32 * 2 == 640
    assert '5 images x 2 views x 32 dims x float16' in text
    stamp = os.stat(shard_path(out, 0)).st_mtime_ns
    tc.main(args)
    assert os.stat(shard_path(out, 0)).st_mtime_ns == stamp


def test_cli_errors_are_one_line_and_say_what_to_do(setup, tmp_path,
                                                   monkeypatch):
    cfg, _, root = setup
    out = str(tmp_path / 'c')
    args = [str(root / 'cfg.py'), '--views', '2', '--out', out, '--seed', '3',
            '--shard-size', '2', '--workers', '0']
    tc.main(args)
    other = args[:2] + ['3'] + args[3:]   # another N into the same folder
    with pytest.raises(SystemExit, match=r'^cache_teacher: .*another '
                       r'num_views.*rerun with --force'):
        tc.main(other)
    assert tc.main(other + ['--force'])['bytes'] == 5 * 3 * 32 * 2

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(tc, 'build_teacher_cache', interrupted)
    with pytest.raises(SystemExit, match='interrupted.*rerun the same '
                       'command'):
        tc.main(args)


def test_in_memory_dataset_is_keyed_by_pixels(tmp_path):
    from mmlgd.datasets.fashion_mnist.idx import write_idx
    from mmlgd.utils.teacher_cache import dataset_identity
    init_default_scope('mmpretrain')
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (4, 28, 28), dtype=np.uint8)
    keys = []
    for k, arr in enumerate([imgs, imgs, imgs[[1, 0, 2, 3]]]):
        root = tmp_path / str(k)
        for pre in ('train', 't10k'):  # mmpretrain checks both exist
            write_idx(str(root / f'{pre}-images-idx3-ubyte'), arr)
            write_idx(str(root / f'{pre}-labels-idx1-ubyte'), np.zeros(4))
        ds = DATASETS.build(dict(type='FashionMNIST', data_root=str(root),
                                 split='train', download=False,
                                 pipeline=[]))
        keys.append(dataset_identity(ds))
    assert keys[0] == keys[1] != keys[2]
    assert keys[0]['num_images'] == 4


@pytest.mark.dist
@pytest.mark.e2e
def test_two_rank_build_equals_one_rank_build(setup, tmp_path):
    """torchrun, 2 ranks (gloo): each builds its shards (s % 2), rank 0
    writes the manifest; the result is byte-identical to a 1-process one."""
    import socket
    import subprocess
    import sys

    from _tiny_lgd import REPO
    cfg, ref, root = setup
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    out = str(tmp_path / 'c')
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    proc = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node',
         '2', '--master_port', str(port),
         os.path.join(REPO, 'tools', 'cache_teacher.py'), str(root / 'cfg.py'),
         '--views', str(N), '--out', out, '--seed', '3', '--shard-size', '2',
         '--batch-size', '4', '--workers', '0', '--launcher', 'pytorch'],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=240)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert TeacherCacheStore(out).key == TeacherCacheStore(ref).key
    for s in range(3):
        assert open(shard_path(out, s), 'rb').read() == open(
            shard_path(ref, s), 'rb').read()


def test_cached_config_variant_equals_cached_config():
    from mmlgd.utils.teacher_cache import plain
    folder = os.path.join(os.path.dirname(tc.__file__), '..', '..',
                          'configs', 'fashion_mnist')
    name = '{}_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'
    variant = Config.fromfile(os.path.join(folder,
                                           name.format('lgd-cached-10v')))
    want = tc.cached_config(
        Config.fromfile(os.path.join(folder, name.format('lgd'))),
        variant.teacher_cache, num_views=10)
    assert plain(variant.model) == plain(want.model)
    assert plain(variant.train_dataloader) == plain(want.train_dataloader)
    assert variant.model.target_generator.type == 'CachedTeacher'
    assert variant.train_dataloader.sampler == dict(
        type='CachedViewSampler', shuffle=True)


def test_samples_for_another_cache_are_refused(setup, tmp_path):
    cfg, out, _ = setup
    other = str(tmp_path / 'seed4')
    tc.build_teacher_cache(cfg, other, N, seed=4, shard_size=2)
    teacher = MODELS.build(dict(type='CachedTeacher', cache_dir=out,
                                teacher=cfg.model.target_generator,
                                data_preprocessor=cfg.model.data_preprocessor))
    good = [_dataset(cfg, out)[(1, 0)]['data_samples']]
    teacher(torch.zeros(1, 3, 32, 32), good)
    bad = [_dataset(cfg, other)[(1, 0)]['data_samples']]
    with pytest.raises(ValueError, match='another teacher cache'):
        teacher(torch.zeros(1, 3, 32, 32), bad)
