"""Labels vs TSB rows (issue 21.1): the matching rule of
:mod:`mmlgd.models.text.label_match` on real mmpretrain datasets."""
import os.path as osp
import types

import pytest
from _tiny_lgd import write_images
from mmpretrain.datasets import CustomDataset
from mmpretrain.datasets.categories import IMAGENET_CATEGORIES

from mmlgd.models.text import resolve_classes
from mmlgd.models.text.label_match import (
    canonical_name,
    check_labels_match_tsb,
    dataset_label_names,
)

# A user's names file order; mmpretrain numbers the folders sorted.
USER_ORDER = ['top', 'bottom', 'footwear', 'bag']


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('own'))
    for i, name in enumerate(USER_ORDER):
        write_images(root, 1, size=8, seed=i, sub=name)
    return root


def test_canonical_form():
    assert canonical_name('Hot_Dog ') == canonical_name('hot  dog')
    assert canonical_name('tench, Tinca tinca', synonyms=True) == 'tench'
    assert canonical_name('T-shirt/top') == 't-shirt/top'


def test_sorted_folders_against_names_file_order_is_refused(folder):
    ds = CustomDataset(data_root=folder, serialize_data=False)
    names, source = dataset_label_names(ds)
    assert names == sorted(USER_ORDER) and 'class folders' in source
    with pytest.raises(ValueError) as err:
        check_labels_match_tsb(ds, USER_ORDER, 'zero-shot test')
    msg = str(err.value)
    assert "label 0 = 'bag' vs row 0 = 'top'" in msg
    assert 'another order' in msg and str(sorted(USER_ORDER)) in msg


def test_classes_argument_only_renames_so_folders_decide(folder):
    """classes= relabels the metainfo, not the images: still refused."""
    ds = CustomDataset(data_root=folder, classes=USER_ORDER,
                       serialize_data=False)
    assert list(ds.metainfo['classes']) == USER_ORDER  # the trap
    with pytest.raises(ValueError, match='do not match the TSB'):
        check_labels_match_tsb(ds, USER_ORDER)


def test_dataset_order_any_case_matches(folder):
    ds = CustomDataset(data_root=folder, serialize_data=False)
    line = check_labels_match_tsb(
        ds, ['Bag', 'BOTTOM ', 'Footwear', 'top', 'extra row'])
    assert 'match the TSB rows' in line and '+1 TSB rows' in line


def test_different_names_and_too_few_rows(folder):
    ds = CustomDataset(data_root=folder, serialize_data=False)
    with pytest.raises(ValueError, match='different names'):
        check_labels_match_tsb(ds, ['bag', 'bottom', 'shoe', 'top'])
    with pytest.raises(ValueError, match='has 4 classes but the TSB only 3'):
        check_labels_match_tsb(ds, ['bag', 'bottom', 'footwear'])


def test_annotation_file_checks_the_count_and_logs_the_source(folder,
                                                              tmp_path):
    ann = tmp_path / 'val.txt'
    ann.write_text('bag/img_000.png 0\ntop/img_000.png 3\n')
    ds = CustomDataset(ann_file=str(ann), data_prefix=folder,
                       serialize_data=False)
    assert dataset_label_names(ds)[0] is None
    line = check_labels_match_tsb(ds, ['a', 'b', 'c', 'd'])
    assert 'annotation file' in line and osp.basename(str(ann)) in line
    with pytest.raises(ValueError, match='has label 3 but the TSB has only'):
        check_labels_match_tsb(ds, ['a', 'b', 'c'])


def test_imagenet_synonyms_and_clip_names():
    """mmpretrain's ImageNet names ('tench, Tinca tinca') vs the
    ``imagenet1k`` set (CLIP's edited names), index by index."""
    tsb = resolve_classes('imagenet1k')
    ds = types.SimpleNamespace(metainfo=dict(classes=IMAGENET_CATEGORIES))
    assert '1000 labels' in check_labels_match_tsb(ds, tsb)
    swapped = list(IMAGENET_CATEGORIES)
    swapped[0], swapped[1] = swapped[1], swapped[0]
    ds = types.SimpleNamespace(metainfo=dict(classes=swapped))
    with pytest.raises(ValueError, match="label 0 = 'goldfish"):
        check_labels_match_tsb(ds, tsb)
    # a names file in CLIP's wording is not the built-in set: plain rule
    ds = types.SimpleNamespace(metainfo=dict(classes=IMAGENET_CATEGORIES))
    assert 'match' in check_labels_match_tsb(
        ds, [n.split(',')[0] for n in IMAGENET_CATEGORIES])
