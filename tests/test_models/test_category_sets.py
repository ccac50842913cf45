"""Category names come from the ecosystem's metadata."""
import pytest

from mmlgd.models.text import resolve_classes, resolve_templates


@pytest.mark.parametrize('spec, k, first', [
    ('imagenet1k', 1000, 'tench'),
    ('coco', 80, 'person'),
    ('lvis_v1', 1203, 'aerosol_can'),
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
