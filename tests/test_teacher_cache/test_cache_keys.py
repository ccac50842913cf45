"""Teacher cache: a cache is refused for another teacher, pipeline, image
list, image content, N, seed or format, with a message naming what differs."""
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from _tiny_clip import write_tiny_clip
from _tiny_lgd import fixed_pipeline, write_images
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS, MODELS

from mmlgd.teacher_cache import (
    CachedViewDataset,
    TeacherCacheStore,
    build_teacher_cache,
)
from mmlgd.teacher_cache.key import BLOCK, dataset_identity, file_fingerprint

N, SEED = 2, 3  # as the ``cache`` fixture (conftest.py) builds


def _dataset(cfg, out, **kw):
    return CachedViewDataset(dict(cfg.train_dataloader.dataset), out, **kw)


@pytest.mark.parametrize('part', ['teacher', 'pipeline', 'dataset',
                                  'num_views', 'seed'])
def test_cache_for_other_setting_is_refused(cache, part, tmp_path):
    cfg, out, _ = cache
    ds_cfg = dict(cfg.train_dataloader.dataset)
    with pytest.raises(ValueError, match=f'another {part}'):
        if part == 'teacher':  # checked at start-up when given cache_dir
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
        elif part == 'seed':
            _dataset(cfg, out, seed=SEED + 1)
        else:
            _dataset(cfg, out, num_views=3)
    # building into the folder with another N is refused too, unless force
    with pytest.raises(ValueError, match='another num_views'):
        build_teacher_cache(cfg, out, N + 1, seed=SEED, shard_size=2)


def test_samples_from_a_cache_of_another_teacher_are_refused(cache,
                                                             tmp_path):
    """Without cache_dir the teacher checks the id each sample carries."""
    cfg, out, _ = cache
    sample = _dataset(cfg, out)[(1, 0)]['data_samples']
    ok = MODELS.build(dict(type='CachedTeacher',
                           teacher=cfg.model.target_generator,
                           data_preprocessor=cfg.model.data_preprocessor))
    z = ok(torch.zeros(1, 3, 32, 32), [sample])
    want = torch.from_numpy(
        TeacherCacheStore(out).lookup([1], [0]).astype(np.float32))
    torch.testing.assert_close(z, torch.nn.functional.normalize(want))
    assert not list(ok.state_dict())  # no weights
    _, weights = write_tiny_clip(str(tmp_path), seed=1)
    other = MODELS.build(dict(
        type='CachedTeacher', data_preprocessor=cfg.model.data_preprocessor,
        teacher=dict(cfg.model.target_generator, pretrained=weights)))
    with pytest.raises(ValueError, match='built for another teacher'):
        other(torch.zeros(1, 3, 32, 32), [sample])
    with pytest.raises(ValueError, match='CachedViewSampler'):
        ok(torch.zeros(1, 3, 32, 32), None)


def test_changed_image_under_the_same_name_is_refused(cache, tmp_path):
    """A plain copy (new mtimes) is accepted; new pixels in one file under
    the same name are refused at start-up, naming the file."""
    cfg, out, root = cache
    copy = tmp_path / 'imgs'
    os.makedirs(copy)
    for name in sorted(os.listdir(root / 'imgs')):
        shutil.copy(root / 'imgs' / name, copy / name)  # mtime not kept
    ds_cfg = dict(cfg.train_dataloader.dataset, data_root=str(copy))
    CachedViewDataset(ds_cfg, out)
    victim = sorted(os.listdir(copy))[2]
    write_images(str(tmp_path / 'new'), 3, seed=7)
    shutil.copy(tmp_path / 'new' / victim, copy / victim)
    with pytest.raises(ValueError, match=r'another dataset \(image files '
                       rf'changed since the build, e\.g\. .*{victim}'):
        CachedViewDataset(ds_cfg, out)


def test_fingerprint_reads_size_and_both_ends_unless_full(tmp_path):
    path = str(tmp_path / 'big.bin')
    data = bytearray(np.random.default_rng(0).integers(
        0, 256, 5 * BLOCK, dtype=np.uint8).tobytes())
    open(path, 'wb').write(data)
    ends, full = file_fingerprint(path), file_fingerprint(path, 'full')
    for pos in (0, len(data) - 1):  # first and last blocks are read
        changed = bytearray(data)
        changed[pos] ^= 1
        open(path, 'wb').write(changed)
        assert file_fingerprint(path) != ends
    changed = bytearray(data)
    changed[2 * BLOCK] ^= 1  # the middle: only the full hash sees it
    open(path, 'wb').write(changed)
    assert file_fingerprint(path) == ends
    assert file_fingerprint(path, 'full') != full
    open(path, 'wb').write(data + b'\0')  # the size is always in it
    assert file_fingerprint(path) != ends
    with pytest.raises(ValueError, match='content must be one of'):
        file_fingerprint(path, 'mtime')


def test_format_1_cache_is_refused_with_a_rebuild_message(cache, tmp_path):
    cfg, out, _ = cache
    old = str(tmp_path / 'old')
    shutil.copytree(out, old)
    path = osp.join(old, 'manifest.json')
    manifest = json.load(open(path))
    manifest['format'] = 1
    json.dump(manifest, open(path, 'w'))
    for load in (lambda: TeacherCacheStore(old),
                 lambda: _dataset(cfg, old),
                 lambda: MODELS.build(dict(
                     type='CachedTeacher', cache_dir=old,
                     teacher=cfg.model.target_generator))):
        with pytest.raises(ValueError, match=r'format 1; this mmlgd reads '
                           r'format 2.*Rebuild it: tools/cache_teacher.py'):
            load()
    with pytest.raises(ValueError, match='format 1.*rerun with --force'):
        build_teacher_cache(cfg, old, N, seed=SEED, shard_size=2)
    m = build_teacher_cache(cfg, old, N, seed=SEED, shard_size=2,
                            force=True)
    assert m['format'] == 2 and m['key'] == TeacherCacheStore(out).key


def test_in_memory_dataset_is_keyed_by_pixels(tmp_path):
    from mmlgd.datasets.fashion_mnist.idx import write_idx
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
