"""Category names come from the ecosystem's metadata."""
import pytest

from mmlgd.models.text import resolve_classes, resolve_templates
from mmlgd.models.text.category_sets import CALTECH256_FOLDERS


@pytest.mark.parametrize('spec, k, first', [
    ('imagenet1k', 1000, 'tench'),
    ('coco', 80, 'person'),
    ('lvis_v1', 1203, 'aerosol_can'),
    ('lvis_v0.5', 1230, 'acorn'),
    ('caltech256', 256, 'ak47'),
    ('ade20k', 150, 'wall'),
    ('cityscapes', 19, 'road'),
    ('fashion_mnist', 10, 'T-shirt/top'),
])
def test_sets(spec, k, first):
    names = resolve_classes(spec)
    assert len(names) == k and names[0] == first
    # CLIP's cleaned ImageNet names repeat two (e.g. 'missile'); rows still
    # follow the dataset's label indices, so a set keeps them.
    assert len(set(names)) == (998 if spec == 'imagenet1k' else k)


def test_union_file_and_list(tmp_path):
    f = tmp_path / 'names.txt'
    f.write_text('person\nzebra crossing\n\n')
    union = resolve_classes(['cityscapes', 'coco', str(f)])
    assert union[:19] == resolve_classes('cityscapes')
    # 'person', 'car', ... appear once although both sets have them
    assert union.count('person') == 1
    assert union[-1] == 'zebra crossing'
    assert resolve_classes(['cat', 'dog']) == ['cat', 'dog']


@pytest.mark.parametrize('spec, match', [
    ([], 'empty'),
    (['cat', 'dog', 'cat'], "Duplicate category names.*'cat'"),
    (['Shoe', 'bag', ' shoe'], "Duplicate category names.*'Shoe'.*'shoe'"),
    (['sea  lion', 'Sea lion'], 'Duplicate category names'),
    (['', ''], 'empty or has blank names'),
    (['cat', ' '], 'empty or has blank names'),
    ('imagenet-21k', 'Unknown category set'),
])
def test_errors(spec, match):
    with pytest.raises(ValueError, match=match):
        resolve_classes(spec)


def test_duplicates_in_a_names_file(tmp_path):
    f = tmp_path / 'names.txt'
    f.write_text('cat\ndog\ncat\n')
    with pytest.raises(ValueError, match='Duplicate category names in'):
        resolve_classes(str(f))


def test_templates():
    assert len(resolve_templates('openai')) == 80
    assert resolve_templates(['a {}.']) == ['a {}.']
    with pytest.raises(ValueError, match='placeholder'):
        resolve_templates(['a photo'])
    with pytest.raises(ValueError, match='Empty template'):
        resolve_templates([])


def test_caltech256_names_follow_folders():
    """Row k is folder k + 1 (001..256, no 257.clutter); names by the
    authors' rule: text after the dot, '-101' dropped, '-' -> ' '."""
    names = resolve_classes('caltech256')
    assert len(CALTECH256_FOLDERS) == 256
    assert [f[:4] for f in CALTECH256_FOLDERS] == [
        f'{i:03d}.' for i in range(1, 257)]
    assert not any('clutter' in f for f in CALTECH256_FOLDERS)
    spots = {'002.american-flag': 'american flag',
             '063.electric-guitar-101': 'electric guitar',
             '182.self-propelled-lawn-mower': 'self propelled lawn mower',
             '232.t-shirt': 't shirt', '249.yo-yo': 'yo yo',
             '252.car-side-101': 'car side', '256.toad': 'toad'}
    for folder, name in spots.items():
        assert names[CALTECH256_FOLDERS.index(folder)] == name
    assert sum(f.endswith("-101") for f in CALTECH256_FOLDERS) == 30
    assert not any('-' in n or n.endswith('101') for n in names)


def test_lvis_v05_is_not_v1():
    v05, v1 = resolve_classes('lvis_v0.5'), resolve_classes('lvis_v1')
    # v1 dropped and renamed some v0.5 categories and added others
    assert set(v05) - set(v1) and set(v1) - set(v05)
    assert len(set(v05) & set(v1)) > 1000
