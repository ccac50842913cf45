"""Teacher cache: views replay bit-exactly, from stored augmentation
parameters (so a transform that draws differently still gives the same
view), and from the seed where parameters cannot be stored."""
import random

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import DATASETS

from mmlgd.teacher_cache import CachedViewDataset, TeacherCacheStore
from mmlgd.teacher_cache import build as build_mod
from mmlgd.teacher_cache.replay import (
    capturable,
    decode,
    encode,
    random_methods,
    replay_view,
)

N, SEED = 2, 3  # as the ``cache`` fixture (conftest.py) builds


def _spy_build(monkeypatch, cfg, out, **kw):
    """Build ``cfg``'s cache into ``out``; return {(i, v): built view}."""
    seen = {}
    real = build_mod.replay_view

    def spy(dataset, i, v, seed, **k):
        res = real(dataset, i, v, seed, **k)
        seen[(i, v)] = res['inputs'][0].clone()
        return res

    monkeypatch.setattr(build_mod, 'replay_view', spy)
    build_mod.build_teacher_cache(cfg, out, N, seed=SEED, shard_size=2,
                                  batch_size=4, **kw)
    monkeypatch.setattr(build_mod, 'replay_view', real)
    return seen


@pytest.fixture(scope='module')
def built(cache, tmp_path_factory):
    cfg, _, _ = cache
    mp = pytest.MonkeyPatch()
    out = str(tmp_path_factory.mktemp('replay') / 'c')
    try:
        return cfg, out, _spy_build(mp, cfg, out)
    finally:
        mp.undo()


def test_replay_is_bit_identical_to_the_built_view(built):
    cfg, out, seen = built
    assert sorted(seen) == [(i, v) for i in range(5) for v in range(N)]
    ds = CachedViewDataset(dict(cfg.train_dataloader.dataset), out)
    for (i, v), view in seen.items():
        item = ds[(i, v)]
        assert torch.equal(item['inputs'][0], view), (i, v)
        assert (item['data_samples'].cache_index,
                item['data_samples'].cache_view) == (i, v)
    assert not torch.equal(seen[(0, 0)], seen[(0, 1)])  # views of an image


def test_stored_parameters_give_the_view_through_mmcvs_own_cache(built):
    """Independent route: hand the stored values to mmcv's own
    ``@cache_randomness`` cache and run the plain pipeline with the RNGs
    seeded at random; every draw of this pipeline is captured, so the view
    must be the built one."""
    cfg, out, seen = built
    raw = DATASETS.build(cfg.train_dataloader.dataset)
    by_pos = {pos: t for pos, t, _ in random_methods(raw.pipeline)}
    assert capturable(raw.pipeline) == [
        'RandomResizedCrop.rand_crop_params', 'RandomApply.random_apply',
        'ColorJitter._rand_params', 'RandomFlip._choose_direction']
    store = TeacherCacheStore(out)
    for (i, v), view in seen.items():
        params = store.params(i, v)
        assert params and all(len(e) == 3 for e in params)
        try:
            for pos, name, value in params:
                by_pos[pos]._cache_enabled = True
                by_pos[pos]._cache = {name: decode(value)}
            np.random.seed(1000 + i)
            random.seed(1000 + i)
            got = raw.pipeline(raw.get_data_info(i))['inputs'][0]
        finally:
            for t in by_pos.values():
                vars(t).pop('_cache_enabled', None)
                vars(t).pop('_cache', None)
        assert torch.equal(got, view), (i, v)


def test_same_view_after_a_transform_draws_differently(built):
    """A library upgrade that consumes randomness differently (here: one
    extra draw inside RandomResizedCrop.rand_crop_params) changes a freshly
    drawn view but not the replayed one."""
    from mmcv.transforms.utils import cache_randomness
    from mmpretrain.datasets.transforms import RandomResizedCrop
    cfg, out, seen = built
    orig = vars(RandomResizedCrop)['rand_crop_params']

    def drifted(self, img):
        np.random.rand()
        return orig.func(self, img)
    drifted.__name__ = 'rand_crop_params'
    # (setattr, not monkeypatch: reading the descriptor off the class fails)
    RandomResizedCrop.rand_crop_params = cache_randomness(drifted)
    try:
        ds = CachedViewDataset(dict(cfg.train_dataloader.dataset), out)
        fresh_differs = 0
        for (i, v), view in seen.items():
            assert torch.equal(ds[(i, v)]['inputs'][0], view), (i, v)
            fresh = replay_view(ds.dataset, i, v, SEED, log=[])
            fresh_differs += not torch.equal(fresh['inputs'][0], view)
    finally:
        RandomResizedCrop.rand_crop_params = orig
    assert fresh_differs >= 8  # the patch does change what is drawn


def test_uncaptured_randomness_replays_from_the_seed(cache, monkeypatch,
                                                     tmp_path):
    """RandomErasing's fill (np.random in transform(), not behind
    @cache_randomness) replays from the view seed, next to the captured
    crop / flip / erase box."""
    cfg, _, _ = cache
    cfg = Config(cfg.to_dict())
    views = cfg.train_dataloader.dataset.pipeline[1].transforms[0]
    views.append(dict(type='RandomErasing', erase_prob=1.0, mode='rand',
                      min_area_ratio=0.1, max_area_ratio=0.3))
    out = str(tmp_path / 'c')
    seen = _spy_build(monkeypatch, cfg, out)
    ds = CachedViewDataset(dict(cfg.train_dataloader.dataset), out)
    assert 'RandomErasing.random_patch' in capturable(ds.dataset.pipeline)
    for (i, v), view in seen.items():
        assert torch.equal(ds[(i, v)]['inputs'][0], view), (i, v)
    # the fill is random: another view seed gives another fill
    p = TeacherCacheStore(out).params(0, 0)
    a = replay_view(ds.dataset, 0, 0, SEED, params=p)['inputs'][0]
    b = replay_view(ds.dataset, 0, 0, SEED + 1, params=p)['inputs'][0]
    assert not torch.equal(a, b)


def test_replay_restores_global_rngs(cache):
    cfg, out, _ = cache
    raw = DATASETS.build(cfg.train_dataloader.dataset)
    for params in (None, TeacherCacheStore(out).params(0, 1)):
        np.random.seed(11)
        random.seed(11)
        torch.manual_seed(11)
        replay_view(raw, 0, 1, SEED, params=params)
        a = (np.random.rand(), random.random(), torch.rand(1))
        np.random.seed(11)
        random.seed(11)
        torch.manual_seed(11)
        assert a == (np.random.rand(), random.random(), torch.rand(1))


def test_encode_keeps_types_exactly():
    values = [None, True, 3, 0.1, 'horizontal', (4, 5, 28, 30),
              np.float64(1.0 / 3), np.float32(0.7), np.int64(7),
              np.array([3, 0, 2, 1]), np.str_('horizontal'), np.bool_(True),
              [np.float32(2.5), (1, None)]]
    for v in values:
        back = decode(encode(v))
        assert type(back) is type(v)
        if isinstance(v, np.ndarray):
            assert back.dtype == v.dtype and np.array_equal(back, v)
        elif isinstance(v, list):
            assert type(back[0]) is np.float32 and back[1] == (1, None)
        else:
            assert back == v
    with pytest.raises(TypeError):
        encode({1, 2})
