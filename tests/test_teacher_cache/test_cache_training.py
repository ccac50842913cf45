"""Training from a teacher cache: a cached step is the online step, one
cache serves any class list (a new TSB: no teacher forward, no rebuild), the
sampler, and the one online -> cached rewrite."""
import os

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import DefaultSampler, default_collate
from mmpretrain.registry import DATASETS, MODELS

from mmlgd.teacher_cache import (
    CachedViewDataset,
    CachedViewSampler,
    cached_config,
)
from mmlgd.teacher_cache.key import plain
from mmlgd.utils.configs import config_path

N, SEED = 2, 3  # as the ``cache`` fixture (conftest.py) builds
COARSE = ['top', 'bottom', 'footwear']  # another TSB than the cache's run


def _with_classes(cfg, classes):
    cfg = Config(cfg.to_dict())
    if classes:
        cfg.model.tsb.classes = classes
    return cfg


@pytest.mark.parametrize('classes', [None, COARSE])
def test_cached_step_matches_online_step(cache, classes):
    """With the config's class list and with another one (the cache holds
    z_T, not logits, so any TSB can be trained from it)."""
    cfg, out, _ = cache
    cfg = _with_classes(cfg, classes)
    torch.manual_seed(0)
    online = MODELS.build(cfg.model)
    cached_cfg = cached_config(cfg, out, num_views=N)
    cached = MODELS.build(cached_cfg.model)
    assert not any(True for _ in cached.target_generator.parameters())
    cached.load_state_dict(online.state_dict(), strict=True)
    assert cached.tsb.num_classes == len(classes or cfg.model.tsb.classes)
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


def test_runner_trains_another_class_list_from_the_cache(cache, tmp_path,
                                                         monkeypatch):
    """A new TSB over the same cache: no teacher is built or run, no cache
    file is written."""
    from mmengine.runner import Runner

    from mmlgd.models.teachers import OpenCLIPVisionTeacher
    from mmlgd.teacher_cache import build as build_mod
    cfg, out, _ = cache

    def forbidden(*a, **k):
        raise AssertionError('the teacher must not run')
    monkeypatch.setattr(OpenCLIPVisionTeacher, '__init__', forbidden)
    monkeypatch.setattr(build_mod, 'build_teacher_cache', forbidden)
    files = {n: os.stat(os.path.join(out, n)).st_mtime_ns
             for n in os.listdir(out)}
    run = cached_config(_with_classes(cfg, COARSE), out)
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
    assert runner.model.neck.vsb.shape[0] == len(COARSE)
    assert runner.model.neck.vsb_initialized.any()
    assert {n: os.stat(os.path.join(out, n)).st_mtime_ns
            for n in os.listdir(out)} == files


def test_sampler_draws_one_view_per_image_per_epoch(cache):
    cfg, out, _ = cache
    ds = CachedViewDataset(dict(cfg.train_dataloader.dataset), out)
    sampler = CachedViewSampler(ds, shuffle=True, seed=5)
    plain_sampler = DefaultSampler(ds, shuffle=True, seed=5)
    epochs = []
    for epoch in range(4):
        sampler.set_epoch(epoch)
        plain_sampler.set_epoch(epoch)
        pairs = list(sampler)
        assert [i for i, _ in pairs] == list(plain_sampler)  # same order
        assert pairs == list(sampler)  # deterministic
        epochs.append([v for _, v in sorted(pairs)])
    assert all(0 <= v < N for e in epochs for v in e)
    assert len({tuple(e) for e in epochs}) > 1  # views change by epoch
    with pytest.raises(TypeError, match='CachedViewSampler'):
        ds[0]


def test_shipped_cached_config_is_cached_config_of_the_online_one():
    name = 'fashion_mnist/{}_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'
    variant = Config.fromfile(config_path(name.format('lgd-cached-10v')))
    want = cached_config(Config.fromfile(config_path(name.format('lgd'))),
                         variant.teacher_cache, num_views=10)
    assert plain(variant.model) == plain(want.model)
    assert plain(variant.train_dataloader) == plain(want.train_dataloader)
    assert variant.model.target_generator.type == 'CachedTeacher'
    assert 'cache_dir' not in variant.model.target_generator  # once only
    assert variant.train_dataloader.sampler == dict(
        type='CachedViewSampler', shuffle=True)


def test_old_import_paths_still_work():
    import mmlgd.teacher_cache as tc
    from mmlgd.apis.teacher_cache import cached_config as old_cc
    from mmlgd.datasets import CachedViewDataset as old_ds
    from mmlgd.datasets import CachedViewSampler as old_sampler
    from mmlgd.models.teachers.cached_teacher import CachedTeacher as old_t
    from mmlgd.teacher_cache import CachedTeacher
    from mmlgd.utils.teacher_cache import TeacherCacheStore as old_store
    assert (old_cc, old_ds, old_sampler, old_t, old_store) == (
        tc.cached_config, tc.CachedViewDataset, tc.CachedViewSampler,
        CachedTeacher, tc.TeacherCacheStore)
    assert MODELS.get('CachedTeacher') is CachedTeacher
