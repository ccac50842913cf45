"""Category names and prompt templates for the Textual Semantics Bank.

Names come from the ecosystem's own metadata (open_clip, mmdet, mmseg,
mmpretrain), so they match what the downstream datasets use:

=============== ============================================ =====
spec            source                                       K
=============== ============================================ =====
``imagenet1k``  ``open_clip.IMAGENET_CLASSNAMES``             1000
``coco``        ``mmdet.datasets.CocoDataset.METAINFO``        80
``lvis_v1``     ``mmdet.datasets.LVISV1Dataset.METAINFO``    1203
``ade20k``      ``mmseg.datasets.ADE20KDataset.METAINFO``     150
``cityscapes``  ``mmseg.datasets.CityscapesDataset.METAINFO``  19
``fashion_mnist`` ``mmpretrain.datasets.FashionMNIST.METAINFO`` 10
=============== ============================================ =====

A spec may also be a path to a text file (one name per line), an explicit
list of names, or a list of specs (their union, first occurrence kept).
"""
import os.path as osp
from typing import Callable, List, Sequence, Union

ClassSpec = Union[str, Sequence[str]]
TemplateSpec = Union[str, Sequence[Union[str, Callable[[str], str]]]]


def _imagenet1k():
    from open_clip import IMAGENET_CLASSNAMES
    return IMAGENET_CLASSNAMES


def _coco():
    from mmdet.datasets import CocoDataset
    return CocoDataset.METAINFO['classes']


def _lvis_v1():
    from mmdet.datasets import LVISV1Dataset
    return LVISV1Dataset.METAINFO['classes']


def _ade20k():
    from mmseg.datasets import ADE20KDataset
    return ADE20KDataset.METAINFO['classes']


def _cityscapes():
    from mmseg.datasets import CityscapesDataset
    return CityscapesDataset.METAINFO['classes']


def _fashion_mnist():
    from mmpretrain.datasets import FashionMNIST
    return FashionMNIST.METAINFO['classes']


CATEGORY_SETS = {
    'imagenet1k': _imagenet1k,
    'coco': _coco,
    'lvis_v1': _lvis_v1,
    'ade20k': _ade20k,
    'cityscapes': _cityscapes,
    'fashion_mnist': _fashion_mnist,
}


def _read_names_file(path: str) -> List[str]:
    with open(path, encoding='utf-8') as f:
        return [line.strip() for line in f if line.strip()]


def _one(spec: str) -> List[str]:
    if spec in CATEGORY_SETS:
        return list(CATEGORY_SETS[spec]())
    if osp.isfile(spec):
        return _read_names_file(spec)
    raise ValueError(
        f'Unknown category set {spec!r}: use one of '
        f'{sorted(CATEGORY_SETS)}, a path to a text file with one name per '
        'line, or a list of names.')


def _no_duplicates(names: List[str], source: str) -> None:
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise ValueError(
            f'Duplicate category names in {source}: {dups}. Each TSB row '
            'must be a distinct category: remove repeats.')


def resolve_classes(spec: ClassSpec) -> List[str]:
    """Category names for ``spec`` (see module docstring).

    An explicit list whose items are all known set names or existing files
    is a union of sets; otherwise it is a list of category names.

    Returns:
        list[str]: K unique names, in order.

    Raises:
        ValueError: empty result; unknown set name; duplicate names in an
            explicit list or a names file (a union of sets drops repeats
            silently, since e.g. COCO and LVIS share names by design; the
            built-in ImageNet list keeps CLIP's two repeated names so rows
            follow the dataset's label indices).
    """
    if isinstance(spec, str):
        names = _one(spec)
        source = spec
        if spec not in CATEGORY_SETS:  # a user's file: same rule as a list
            _no_duplicates(names, spec)
    else:
        spec = list(spec)
        is_union = bool(spec) and all(
            isinstance(s, str) and (s in CATEGORY_SETS or osp.isfile(s))
            for s in spec)
        if is_union:
            names, seen = [], set()
            for s in spec:
                for n in _one(s):
                    if n not in seen:
                        seen.add(n)
                        names.append(n)
            source = '+'.join(spec)
        else:
            names = [str(n).strip() for n in spec]
            source = 'the class list'
            _no_duplicates(names, source)
    if not names or any(not n for n in names):
        raise ValueError(
            f'The category list from {source} is empty or has blank names: '
            'the TSB needs at least one non-empty category name.')
    return names


def resolve_templates(spec: TemplateSpec) -> List[Union[str, Callable]]:
    """Prompt templates: ``'openai'`` (open_clip's 80 ImageNet templates, as
    in the paper), ``'simple'`` (open_clip's short set), or a list of format
    strings with one ``{}`` / callables ``name -> prompt``.

    Raises:
        ValueError: unknown name, empty list, or a string without ``{}``.
    """
    import open_clip
    if isinstance(spec, str):
        sets = {'openai': open_clip.OPENAI_IMAGENET_TEMPLATES,
                'simple': open_clip.SIMPLE_IMAGENET_TEMPLATES}
        if spec not in sets:
            raise ValueError(f'Unknown template set {spec!r}: use '
                             "'openai', 'simple' or a list of strings.")
        return list(sets[spec])
    templates = list(spec)
    if not templates:
        raise ValueError('Empty template list: give at least one prompt '
                         "such as 'a photo of a {}.'")
    for t in templates:
        if isinstance(t, str) and '{}' not in t:
            raise ValueError(f'Template {t!r} has no "{{}}" placeholder for '
                             'the category name.')
    return templates


def render_templates(templates: Sequence[Union[str, Callable]]) -> List[str]:
    """Each template as a string with ``{}`` where the name goes (cache key).
    """
    return [t if isinstance(t, str) else t('{}') for t in templates]
