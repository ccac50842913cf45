"""Tests for :mod:`mmlgd.datasets.fashion_mnist.scenes` (make_fmnist_scenes.py)
and FashionMNISTScenesSegDataset."""
import gzip
import hashlib
import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmlgd.datasets.fashion_mnist import scenes as mfs
from mmlgd.datasets.fashion_mnist import splits as pfm

N_TRAIN, N_VAL = 4, 3
# pycocotools' decode trips a numpy-2 DeprecationWarning inside the library
pytestmark = pytest.mark.filterwarnings(
    'ignore:__array__ implementation:DeprecationWarning')


def fake_items(n, classes, seed):
    """n 28x28 uint8 items: a bright ellipse of random size on black."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:28, 0:28]
    imgs = np.zeros((n, 28, 28), np.uint8)
    for k in range(n):
        cy, cx = rng.uniform(10, 18, 2)
        ry, rx = rng.uniform(5, 12, 2)
        inside = ((yy - cy) / ry)**2 + ((xx - cx) / rx)**2 <= 1
        imgs[k][inside] = rng.integers(100, 256, inside.sum())
    return imgs, rng.choice(classes, n)


@pytest.fixture(scope='module')
def pools():
    # train items only of classes 0..4, val items only of 5..9
    return {'train': fake_items(50, np.arange(5), 0),
            'val': fake_items(30, np.arange(5, 10), 1)}


@pytest.fixture(scope='module')
def scenes(pools, tmp_path_factory):
    out = tmp_path_factory.mktemp('scenes') / 'out'
    summary = mfs.make_scenes(pools, str(out), N_TRAIN, N_VAL, seed=0)
    return out, summary


def load_png(path):
    return np.asarray(Image.open(path))


def tree_bytes(root):
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(Path(root).rglob('*')) if p.is_file()}


def test_layout_and_counts(scenes):
    out, summary = scenes
    assert summary['skipped'] is False
    assert summary['scenes'] == {'train': N_TRAIN, 'val': N_VAL}
    for split, n in (('train', N_TRAIN), ('val', N_VAL)):
        names = [f'{i:06d}.png' for i in range(1, n + 1)]
        assert sorted(os.listdir(out / 'images' / split)) == names
        assert sorted(os.listdir(out / 'ann_dir' / split)) == names
        img = Image.open(out / 'images' / split / names[0])
        assert img.mode == 'RGB' and img.size == (128, 128)
        arr = np.asarray(img)
        assert (arr[..., 0] == arr[..., 1]).all() and \
            (arr[..., 0] == arr[..., 2]).all()
        seg = Image.open(out / 'ann_dir' / split / names[0])
        assert seg.mode == 'L' and seg.size == (128, 128)
    assert json.loads((out / 'scenes.json').read_text())['instances'] == \
        summary['instances']


@pytest.mark.parametrize('split', ['train', 'val'])
def test_coco_masks_match_label_maps(scenes, split):
    from pycocotools.coco import COCO
    out, summary = scenes
    coco = COCO(str(out / 'annotations' / f'instances_{split}.json'))
    names = [c['name'] for c in coco.loadCats(coco.getCatIds())]
    assert coco.getCatIds() == list(range(1, 11))
    assert tuple(names) == mfs.class_names()
    assert len(coco.getImgIds()) == summary['scenes'][split]
    assert len(coco.getAnnIds()) == summary['instances'][split]
    allowed = set(range(1, 6)) if split == 'train' else set(range(6, 11))
    n_ann = 0
    for img_id in coco.getImgIds():
        info = coco.loadImgs(img_id)[0]
        seg = load_png(out / 'ann_dir' / split / info['file_name'])
        anns = coco.loadAnns(coco.getAnnIds(imgIds=img_id))
        assert len(anns) >= 1  # the last item placed is always visible
        union = np.zeros_like(seg, np.int64)
        for a in anns:
            m = coco.annToMask(a).astype(bool)
            assert a['iscrowd'] == 0 and a['category_id'] in allowed
            assert a['area'] == m.sum() > 0
            # instance pixels are labelled with its class in the PNG
            assert (seg[m] == a['category_id']).all()
            ys, xs = np.nonzero(m)
            x, y, w, h = a['bbox']
            assert (x, y, x + w, y + h) == (xs.min(), ys.min(),
                                            xs.max() + 1, ys.max() + 1)
            union += m
            n_ann += 1
        assert union.max() <= 1  # visible masks do not overlap
        for c in range(1, 11):  # union of class-c instances == PNG == c
            cls_union = np.zeros(seg.shape, bool)
            for a in anns:
                if a['category_id'] == c:
                    cls_union |= coco.annToMask(a).astype(bool)
            np.testing.assert_array_equal(cls_union, seg == c)
        assert set(np.unique(seg)) <= {0} | allowed
    assert n_ann == summary['instances'][split]


def test_occlusion_and_tiny_items():
    rng = np.random.default_rng(0)
    imgs, labels = fake_items(20, np.arange(10), 5)
    for _ in range(20):
        img, seg, objs = mfs.render_scene(rng, imgs, labels, canvas=64,
                                          items=(4, 5), max_iou=0.9)
        cover = np.zeros(seg.shape, int)
        for cls, vis in objs:
            cover += vis
            assert vis.sum() >= 20 and (seg[vis] == cls + 1).all()
        assert cover.max() <= 1 and ((cover > 0) == (seg > 0)).all()


def test_deterministic_by_seed(pools, scenes, tmp_path):
    out, _ = scenes
    mfs.make_scenes(pools, str(tmp_path / 'same'), N_TRAIN, N_VAL, seed=0)
    mfs.make_scenes(pools, str(tmp_path / 'other'), N_TRAIN, N_VAL, seed=1)
    a, b = tree_bytes(out), tree_bytes(tmp_path / 'same')
    c = tree_bytes(tmp_path / 'other')
    assert a == b and len(a) == 2 * (N_TRAIN + N_VAL) + 3
    assert a['images/train/000001.png'] != c['images/train/000001.png']
    assert a['annotations/instances_val.json'] != \
        c['annotations/instances_val.json']


def test_idempotent_refuse_and_force(pools, tmp_path):
    out = tmp_path / 'out'
    mfs.make_scenes(pools, str(out), N_TRAIN, N_VAL)
    mtime = os.stat(out / 'images' / 'train' / '000001.png').st_mtime_ns
    assert mfs.make_scenes(pools, str(out), N_TRAIN, N_VAL)['skipped']
    assert os.stat(out / 'images' / 'train' / '000001.png').st_mtime_ns == \
        mtime
    with pytest.raises(FileExistsError, match='--force'):
        mfs.make_scenes(pools, str(out), 2, N_VAL)
    s = mfs.make_scenes(pools, str(out), 2, N_VAL, force=True)
    assert s['skipped'] is False
    assert sorted(os.listdir(out / 'images' / 'train')) == [
        '000001.png', '000002.png']  # stale scenes removed
    assert sorted(os.listdir(out / 'ann_dir' / 'train')) == [
        '000001.png', '000002.png']


def _write_fake_fmnist(src):
    """Fake idx source: train items are classes 0..9, images encode index."""
    tr_imgs, _ = fake_items(200, np.arange(10), 2)
    tr_imgs[:, 0, 0] = np.arange(200) % 256  # tag pixel to trace the index
    te_imgs, te_labels = fake_items(20, np.arange(10), 3)
    arrays = dict(train_images=tr_imgs, train_labels=np.arange(200) % 10,
                  test_images=te_imgs, test_labels=te_labels)
    md5 = {}
    src.mkdir()
    for role, arr in arrays.items():
        arr = np.asarray(arr, np.uint8)
        magic = 0x801 if arr.ndim == 1 else 0x803
        raw = struct.pack(f'>{arr.ndim + 1}I', magic,
                          *arr.shape) + arr.tobytes()
        md5[pfm.NAMES[role]] = hashlib.md5(raw).hexdigest()
        (src / (pfm.NAMES[role] + '.gz')).write_bytes(gzip.compress(raw))
    return arrays, md5


def test_items_from_prepared_folder(tmp_path):
    arrays, md5 = _write_fake_fmnist(tmp_path / 'src')
    fm = tmp_path / 'fmnist'
    pfm.prepare(str(tmp_path / 'src'), str(fm), n_teacher=50, n_pretrain=60,
                probe_sizes=(20, 30), checksums=md5)
    pools, fingerprint = mfs.load_items(str(fm))
    meta = json.loads((fm / 'splits.json').read_text())
    want = sorted(meta['splits']['teacher']['indices'] +
                  meta['splits']['probe_30']['indices'])
    imgs, labels = pools['train']
    assert len(imgs) == 80 and sorted(imgs[:, 0, 0].tolist()) == \
        sorted(np.array(want) % 256)
    assert not set(imgs[:, 0, 0].tolist()) & {
        i % 256 for i in meta['splits']['pretrain']['indices']}
    np.testing.assert_array_equal(labels, imgs[:, 0, 0] % 10)  # real labels
    np.testing.assert_array_equal(pools['val'][0], arrays['test_images'])
    assert fingerprint['fmnist'] == meta['config']
    s = mfs.make_scenes(str(fm), str(tmp_path / 'scenes'), 2, 2)
    assert s['scenes'] == {'train': 2, 'val': 2} and s['instances']['val'] > 0
    with pytest.raises(FileNotFoundError, match='prepare_fashion_mnist'):
        mfs.load_items(str(tmp_path / 'nowhere'))


def test_bad_arguments(pools, tmp_path):
    with pytest.raises(ValueError, match='render options'):
        mfs.make_scenes(pools, str(tmp_path / 'o'), 1, 1, blur=3)
    with pytest.raises(ValueError, match='labels in 0..9'):
        bad = dict(pools, val=(pools['val'][0], pools['val'][1] + 5))
        mfs.make_scenes(bad, str(tmp_path / 'o'), 1, 1)


def test_mmseg_dataset_lists_samples(scenes):
    from mmseg.registry import DATASETS

    from mmlgd.datasets import FashionMNISTScenesSegDataset
    out, _ = scenes
    assert DATASETS.get('FashionMNISTScenesSegDataset') is \
        FashionMNISTScenesSegDataset
    for split, n in (('train', N_TRAIN), ('val', N_VAL)):
        ds = FashionMNISTScenesSegDataset(
            data_root=str(out),
            data_prefix=dict(img_path=f'images/{split}',
                             seg_map_path=f'ann_dir/{split}'))
        assert len(ds) == n
        info = ds.get_data_info(0)
        assert info['img_path'].endswith(f'images/{split}/000001.png')
        assert info['seg_map_path'].endswith(f'ann_dir/{split}/000001.png')
        assert info['reduce_zero_label'] is False
    meta = FashionMNISTScenesSegDataset.METAINFO
    assert meta['classes'][0] == 'background' and \
        meta['classes'][1:] == mfs.class_names()
    assert len(meta['palette']) == 11


def test_mmdet_coco_dataset_reads_annotations(scenes):
    from mmdet.datasets import CocoDataset
    out, summary = scenes
    ds = CocoDataset(data_root=str(out),
                     ann_file='annotations/instances_val.json',
                     data_prefix=dict(img='images/val/'),
                     metainfo=dict(classes=mfs.class_names()),
                     test_mode=True)
    assert len(ds) == N_VAL
    n = sum(len(ds.get_data_info(i)['instances']) for i in range(len(ds)))
    assert n == summary['instances']['val']
    inst = ds.get_data_info(0)['instances'][0]
    assert 5 <= inst['bbox_label'] <= 9 and isinstance(inst['mask'], dict)
