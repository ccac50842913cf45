"""Seeded per-class lists: ImageNet 1%/10% subsets and the Caltech-256
60-per-class split (the authors' protocols, seeded)."""
import os
import os.path as osp

import pytest

from mmlgd.cli.make_imagenet_subset import main as imagenet_subset_main
from mmlgd.datasets.class_subsets import (
    draw_per_class,
    make_imagenet_subset,
    split_caltech256,
)
from mmlgd.models.text.category_sets import CALTECH256_FOLDERS


def make_tree(root, sizes, ext='.JPEG'):
    """``root/<class>/img_<j><ext>`` (empty files) plus a non-image file."""
    for c, n in sizes.items():
        os.makedirs(osp.join(root, c), exist_ok=True)
        for j in range(n):
            open(osp.join(root, c, f'img_{j:03d}{ext}'), 'w').close()
        open(osp.join(root, c, 'notes.txt'), 'w').close()
    return root


def read(path):
    with open(path) as f:
        return [line.split() for line in f]


def test_imagenet_subset_per_class_seeded(tmp_path):
    sizes = {'n02': 30, 'n01': 25, 'n03': 12}
    train = make_tree(str(tmp_path / 'train'), sizes)
    out = str(tmp_path / 'meta' / 'sub.txt')
    n = make_imagenet_subset(train, out, 5, seed=3, num_classes=3)
    rows = read(out)
    assert n == len(rows) == 15
    by_label = {}
    for path, label in rows:
        by_label.setdefault(int(label), []).append(path)
    # labels follow the sorted class folders (ImageNet's label order)
    for label, c in enumerate(sorted(sizes)):
        paths = by_label[label]
        assert len(paths) == len(set(paths)) == 5
        assert all(p.startswith(f'{c}/img_') and p.endswith('.JPEG')
                   for p in paths)
        assert all(osp.isfile(osp.join(train, p)) for p in paths)
    # same seed -> same list; another seed -> another draw
    again = str(tmp_path / 'again.txt')
    make_imagenet_subset(train, again, 5, seed=3, num_classes=3)
    assert read(again) == rows
    other = str(tmp_path / 'other.txt')
    make_imagenet_subset(train, other, 5, seed=4, num_classes=3)
    assert read(other) != rows


def test_draw_of_a_class_does_not_depend_on_other_classes():
    images = {'a': [f'{i}.jpg' for i in range(40)],
              'b': [f'{i}.jpg' for i in range(40)]}
    both = draw_per_class(images, ['a', 'b'], 7, seed=0)
    only_a = draw_per_class({'a': images['a']}, ['a'], 7, seed=0)
    assert both[0] == only_a[0]
    drawn, rest = both[1]
    assert sorted(drawn + rest) == sorted(images['b'])
    assert not set(drawn) & set(rest)


def test_imagenet_subset_too_few_images_names_class(tmp_path):
    train = make_tree(str(tmp_path / 'train'),
                      {'n01': 20, 'n02': 4, 'n03': 2})
    out = str(tmp_path / 'sub.txt')
    with pytest.raises(ValueError, match=r'n02 \(4\), n03 \(2\)'):
        make_imagenet_subset(train, out, 13, num_classes=3)
    assert not osp.exists(out)


def test_imagenet_subset_refuses_overwrite_and_wrong_class_count(tmp_path):
    train = make_tree(str(tmp_path / 'train'), {'n01': 5, 'n02': 5})
    out = str(tmp_path / 'sub.txt')
    with pytest.raises(ValueError, match='2 class folders, expected 1000'):
        make_imagenet_subset(train, out, 2)
    make_imagenet_subset(train, out, 2, num_classes=2)
    before = read(out)
    with pytest.raises(FileExistsError, match='--force'):
        make_imagenet_subset(train, out, 3, num_classes=2)
    assert read(out) == before
    make_imagenet_subset(train, out, 3, num_classes=2, force=True)
    assert len(read(out)) == 6


def test_imagenet_subset_tool(tmp_path, capsys):
    train = make_tree(str(tmp_path / 'train'), {'n01': 5, 'n02': 6})
    out = str(tmp_path / 'sub.txt')
    assert imagenet_subset_main(['2', '--train-dir', train, '--out', out,
                                 '--num-classes', '2']) == 0
    assert f'{out}: 4 images' in capsys.readouterr().out
    assert len(read(out)) == 4


@pytest.fixture
def caltech(tmp_path):
    """All 256 object folders with 4 + (index % 3) images, plus clutter."""
    sizes = {c: 4 + i % 3 for i, c in enumerate(CALTECH256_FOLDERS)}
    sizes['257.clutter'] = 9
    return make_tree(str(tmp_path / '256_ObjectCategories'), sizes,
                     ext='.jpg'), sizes


def test_caltech256_split(caltech, tmp_path):
    root, sizes = caltech
    out = str(tmp_path / 'meta')
    n_train, n_val = split_caltech256(root, out, num_train=2, seed=0)
    train, val = read(osp.join(out, 'train.txt')), read(
        osp.join(out, 'val.txt'))
    assert n_train == len(train) == 2 * 256
    total = sum(v for c, v in sizes.items() if c != '257.clutter')
    assert n_val == len(val) == total - 2 * 256
    assert not {p for p, _ in train} & {p for p, _ in val}
    for rows in (train, val):
        for path, label in rows:
            # label k <-> folder k + 1 <-> TSB row k of 'caltech256'
            assert path.split('/')[0] == CALTECH256_FOLDERS[int(label)]
            assert not path.startswith('257.clutter')
    per_class = {}
    for path, label in train:
        per_class[label] = per_class.get(label, 0) + 1
    assert set(per_class.values()) == {2} and len(per_class) == 256


def test_caltech256_missing_classes_named(caltech, tmp_path):
    root, _ = caltech
    for c in ('063.electric-guitar-101', '200.stained-glass'):
        for f in os.listdir(osp.join(root, c)):
            os.remove(osp.join(root, c, f))
        os.rmdir(osp.join(root, c))
    out = str(tmp_path / 'meta')
    with pytest.raises(FileNotFoundError,
                       match='2 of 256 class folders: 063.electric-guitar-101'
                             ', 200.stained-glass'):
        split_caltech256(root, out, num_train=2)
    assert not osp.exists(out)


def test_caltech256_needs_a_val_image_and_no_overwrite(caltech, tmp_path):
    root, _ = caltech
    out = str(tmp_path / 'meta')
    with pytest.raises(ValueError, match=r'001.ak47 \(4\)'):
        split_caltech256(root, out, num_train=4)  # 4 images: none for val
    split_caltech256(root, out, num_train=2)
    with pytest.raises(FileExistsError, match='train.txt'):
        split_caltech256(root, out, num_train=3)
    assert len(read(osp.join(out, 'train.txt'))) == 512
