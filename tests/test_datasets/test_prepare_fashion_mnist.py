"""Tests for :mod:`mmlgd.datasets.fashion_mnist.splits` (and .idx), behind
tools/dataset_converters/prepare_fashion_mnist.py.

Most tests run on small fake idx files written in tmp_path (exact idx format);
the checksum tests against the official release use Debian's
dataset-fashion-mnist and skip when it is not installed.
"""
import gzip
import hashlib
import json
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from mmlgd.datasets.fashion_mnist import splits as pfm

SMALL = dict(n_teacher=50, n_pretrain=60, probe_sizes=(20, 30))
SPLITS = ('teacher', 'pretrain', 'probe_20', 'probe_30', 'test')


def idx_bytes(arr):
    arr = np.asarray(arr, np.uint8)
    magic = 0x801 if arr.ndim == 1 else 0x803
    return struct.pack(f'>{arr.ndim + 1}I', magic, *arr.shape) + arr.tobytes()


def make_fake_src(folder, n_train=200, n_test=40, gz=True, seed=123):
    """Fake Fashion-MNIST: returns (arrays by role, raw md5 by file name)."""
    rng = np.random.default_rng(seed)
    arrays = {'train_images': rng.integers(0, 256, (n_train, 28, 28)),
              'train_labels': np.arange(n_train) % 10,
              'test_images': rng.integers(0, 256, (n_test, 28, 28)),
              'test_labels': rng.integers(0, 10, n_test)}
    md5 = {}
    os.makedirs(folder, exist_ok=True)
    for role, arr in arrays.items():
        name, raw = pfm.NAMES[role], idx_bytes(arr)
        md5[name] = hashlib.md5(raw).hexdigest()
        path = os.path.join(folder, name + ('.gz' if gz else ''))
        with open(path, 'wb') as f:
            f.write(gzip.compress(raw, mtime=0) if gz else raw)
    return {k: np.asarray(v, np.uint8) for k, v in arrays.items()}, md5


@pytest.fixture
def fake(tmp_path):
    arrays, md5 = make_fake_src(tmp_path / 'src')
    return tmp_path / 'src', arrays, md5


def run(src, out, md5, **kw):
    return pfm.prepare(str(src), str(out), checksums=md5, **{**SMALL, **kw})


def read_split(out, split):
    prefix = 't10k' if split == 'test' else 'train'
    d = Path(out) / split
    return (pfm.read_idx(str(d / f'{prefix}-images-idx3-ubyte')),
            pfm.read_idx(str(d / f'{prefix}-labels-idx1-ubyte')))


def tree_bytes(root):
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(Path(root).rglob('*')) if p.is_file()}


def test_splits_disjoint_nested_balanced(fake, tmp_path):
    src, arrays, md5 = fake
    summary = run(src, tmp_path / 'out', md5)
    assert summary['skipped'] is False
    assert {s: v['size'] for s, v in summary['splits'].items()} == dict(
        teacher=50, pretrain=60, probe_20=20, probe_30=30, test=40)
    meta = json.loads((tmp_path / 'out' / 'splits.json').read_text())
    idx = {s: set(meta['splits'][s]['indices']) for s in SPLITS[:4]}
    assert {s: len(v) for s, v in idx.items()} == dict(
        teacher=50, pretrain=60, probe_20=20, probe_30=30)
    assert not idx['teacher'] & idx['pretrain']
    assert not (idx['teacher'] | idx['pretrain']) & idx['probe_30']
    assert idx['probe_20'] < idx['probe_30']  # nested
    probe_labels = arrays['train_labels'][sorted(idx['probe_20'])]
    assert np.bincount(probe_labels, minlength=10).tolist() == [2] * 10
    assert meta['config']['source_md5'] == md5
    assert meta['splits']['test']['indices'] == 'all'
    for s in SPLITS[:4]:
        got = hashlib.sha256(np.array(sorted(idx[s]), '<i8').tobytes())
        assert meta['splits'][s]['indices_sha256'] == got.hexdigest()


def test_pixels_labels_and_zeroed_pretrain(fake, tmp_path):
    src, arrays, md5 = fake
    out = tmp_path / 'out'
    run(src, out, md5)
    meta = json.loads((out / 'splits.json').read_text())
    for s in SPLITS[:4]:
        imgs, labs = read_split(out, s)
        i = np.array(meta['splits'][s]['indices'])
        np.testing.assert_array_equal(imgs, arrays['train_images'][i])
        if s == 'pretrain':
            assert labs.shape == (60, ) and not labs.any()
        else:
            np.testing.assert_array_equal(labs, arrays['train_labels'][i])
    imgs, labs = read_split(out, 'test')
    np.testing.assert_array_equal(imgs, arrays['test_images'])
    np.testing.assert_array_equal(labs, arrays['test_labels'])
    for s in SPLITS:  # both name pairs exist with identical content
        for kind in ('images-idx3-ubyte', 'labels-idx1-ubyte'):
            a, b = out / s / f'train-{kind}', out / s / f't10k-{kind}'
            assert a.read_bytes() == b.read_bytes()


@pytest.mark.filterwarnings('ignore:The given NumPy array is not writable')
@pytest.mark.parametrize('split, test_mode', [('train', False), ('test', True),
                                              ('test', False)])
def test_mmpretrain_fashionmnist_loads_each_split(fake, tmp_path, split,
                                                  test_mode):
    from mmpretrain.datasets import FashionMNIST
    src, arrays, md5 = fake
    out = tmp_path / 'out'
    run(src, out, md5)
    meta = json.loads((out / 'splits.json').read_text())
    for s in SPLITS:
        ds = FashionMNIST(data_root=str(out / s), split=split,
                          test_mode=test_mode, download=False)
        if s == 'test':
            want_img, want_lab = arrays['test_images'], arrays['test_labels']
        else:
            i = np.array(meta['splits'][s]['indices'])
            want_img = arrays['train_images'][i]
            want_lab = (np.zeros(len(i), np.uint8) if s == 'pretrain' else
                        arrays['train_labels'][i])
        assert len(ds) == len(want_lab)
        for k in (0, len(ds) // 2, len(ds) - 1):
            info = ds.get_data_info(k)
            np.testing.assert_array_equal(info['img'], want_img[k])
            assert int(info['gt_label']) == int(want_lab[k])


def test_deterministic_by_seed_and_gz_equals_raw(fake, tmp_path):
    src, _, md5 = fake
    run(src, tmp_path / 'a', md5, seed=3)
    run(src, tmp_path / 'b', md5, seed=3)
    run(src, tmp_path / 'c', md5, seed=4)
    a, b, c = (tree_bytes(tmp_path / n) for n in 'abc')
    assert a == b and len(a) == 4 * len(SPLITS) + 1
    assert a['teacher/train-images-idx3-ubyte'] != \
        c['teacher/train-images-idx3-ubyte']
    assert a['test/t10k-images-idx3-ubyte'] == c['test/t10k-images-idx3-ubyte']
    make_fake_src(tmp_path / 'raw', gz=False)  # same seed -> same content
    run(tmp_path / 'raw', tmp_path / 'd', md5, seed=3)
    assert tree_bytes(tmp_path / 'd') == a


def test_idempotent_skip_refuse_and_force(fake, tmp_path):
    src, _, md5 = fake
    out = tmp_path / 'out'
    run(src, out, md5)
    before = {p: os.stat(out / p).st_mtime_ns for p in tree_bytes(out)}
    assert run(src, out, md5)['skipped'] is True
    assert {p: os.stat(out / p).st_mtime_ns for p in before} == before
    with pytest.raises(FileExistsError, match='--force') as e:
        run(src, out, md5, seed=1, probe_sizes=(20, ))
    assert 'seed' in str(e.value) and 'probe_sizes' in str(e.value)
    s = run(src, out, md5, seed=1, probe_sizes=(20, ), force=True)
    assert s['skipped'] is False
    assert sorted(os.listdir(out)) == sorted(
        ['teacher', 'pretrain', 'probe_20', 'test', 'splits.json'])
    assert json.loads((out / 'splits.json').read_text())['config']['seed'] == 1
    os.unlink(out / 'probe_20' / 'train-images-idx3-ubyte')  # same config,
    assert run(src, out, md5, seed=1, probe_sizes=(20, ))['skipped'] is False
    assert (out / 'probe_20' / 'train-images-idx3-ubyte').is_file()  # rebuilt


def test_refuses_foreign_nonempty_folder(fake, tmp_path):
    src, _, md5 = fake
    (tmp_path / 'out').mkdir()
    (tmp_path / 'out' / 'mine.txt').write_text('x')
    with pytest.raises(FileExistsError, match='--force'):
        run(src, tmp_path / 'out', md5)
    assert os.listdir(tmp_path / 'out') == ['mine.txt']


def test_sizes_too_large(fake, tmp_path):
    src, _, md5 = fake
    with pytest.raises(ValueError, match='training set has 200'):
        run(src, tmp_path / 'out', md5, n_pretrain=150)


def test_missing_file_error(fake, tmp_path):
    src, _, md5 = fake
    os.unlink(src / 't10k-labels-idx1-ubyte.gz')
    with pytest.raises(FileNotFoundError) as e:
        run(src, tmp_path / 'out', md5)
    msg = str(e.value)
    assert 't10k-labels-idx1-ubyte' in msg and 'apt-get install ' \
        'dataset-fashion-mnist' in msg and '--src' in msg


def test_corrupt_fake_files_are_named(fake, tmp_path):
    src, arrays, md5 = fake
    p = src / 'train-labels-idx1-ubyte.gz'
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF  # corrupt the deflate stream
    p.write_bytes(bytes(data))
    with pytest.raises(pfm.ChecksumError, match=str(p)):
        run(src, tmp_path / 'out', md5)
    # valid gzip of changed content: md5 mismatch
    labels = arrays['train_labels'].copy()
    labels[0] = (labels[0] + 1) % 10
    p.write_bytes(gzip.compress(idx_bytes(labels)))
    with pytest.raises(pfm.ChecksumError, match='checksum mismatch') as e:
        run(src, tmp_path / 'out', md5)
    assert str(p) in str(e.value)
    # truncated raw file: header check even without a checksum
    raw = tmp_path / 'raw'
    make_fake_src(raw, gz=False)
    q = raw / 't10k-images-idx3-ubyte'
    q.write_bytes(q.read_bytes()[:-5])
    with pytest.raises(ValueError, match='truncated') as e:
        run(raw, tmp_path / 'out', {})
    assert str(q) in str(e.value)
    assert not (tmp_path / 'out').exists()


DEBIAN = Path(pfm.DEBIAN_DIR)
need_debian = pytest.mark.skipif(
    not all((DEBIAN / (n + '.gz')).is_file() for n in pfm.RAW_MD5),
    reason=f'Debian dataset-fashion-mnist not installed in {DEBIAN} '
    '(apt-get install dataset-fashion-mnist)')


@need_debian
def test_real_release_checksums_and_cli(tmp_path, capsys):
    from mmlgd.cli.prepare_fashion_mnist import main
    main(['--out', str(tmp_path / 'out'), '--n-teacher', '50',
          '--n-pretrain', '60', '--probe-sizes', '20', '30'])
    assert 'written' in capsys.readouterr().out
    meta = json.loads((tmp_path / 'out' / 'splits.json').read_text())
    assert meta['config']['source_md5'] == pfm.RAW_MD5
    imgs, labs = read_split(tmp_path / 'out', 'test')
    assert imgs.shape == (10000, 28, 28) and labs.shape == (10000, )
    main(['--out', str(tmp_path / 'out'), '--n-teacher', '50',
          '--n-pretrain', '60', '--probe-sizes', '20', '30'])
    assert 'skipped' in capsys.readouterr().out
    with pytest.raises(SystemExit, match='--force'):
        main(['--out', str(tmp_path / 'out'), '--n-teacher', '51'])


@need_debian
def test_real_release_corrupted_copy_is_named(tmp_path):
    src = tmp_path / 'src'
    src.mkdir()
    for n in pfm.RAW_MD5:
        (src / (n + '.gz')).symlink_to(DEBIAN / (n + '.gz'))
    bad = src / 't10k-labels-idx1-ubyte.gz'
    data = bytearray(bad.read_bytes())
    bad.unlink()
    data[-100] ^= 0x01
    bad.write_bytes(bytes(data))
    with pytest.raises(pfm.ChecksumError) as e:
        pfm.prepare(str(src), str(tmp_path / 'out'), **SMALL)
    assert str(bad) in str(e.value)
    shutil.copyfile(DEBIAN / 't10k-labels-idx1-ubyte.gz', bad)
    assert pfm.prepare(str(src), str(tmp_path / 'out'),
                       **SMALL)['skipped'] is False
