"""Does a labelled dataset's label k mean the TSB's row k?

Zero-shot accuracy scores an image of label ``k`` against TSB row ``k``.
mmpretrain's ``CustomDataset`` numbers class folders in sorted order
(``bag, bottom, footwear, top``) whatever order a names file gives the TSB
(``top, bottom, footwear, bag``), and its ``classes=`` argument only renames
the folders' labels. A mismatch gives a wrong number and no error, so every
place where a labelled dataset meets a TSB (``tools/test.py`` with a
:class:`ZeroShotClassifier`, an LGD run's zero-shot validation and its
:class:`TeacherZeroShotHook`) calls :func:`check_labels_match_tsb` first
(through :class:`mmlgd.engine.hooks.ZeroShotCheckHook`).

The matching rule:

* The dataset's label -> name map is, for a folder-scanned
  ``CustomDataset``, its class folders in label order (``folder_to_idx``);
  otherwise its ``metainfo['classes']``.
* Names are compared in canonical form (:func:`canonical_name`): case
  folded, underscores as spaces, runs of spaces as one; a dataset name with
  synonyms (mmpretrain's ``'tench, Tinca tinca'``) by its first item.
* A TSB from a built-in set with dataset names
  (:data:`DATASET_CLASS_NAMES`, e.g.
  ``imagenet1k``) also matches that dataset's own name at each row.
* Dataset label ``k`` must match TSB row ``k`` for every label; the TSB may
  have more rows than the dataset has classes (a larger vocabulary).
* A dataset that names no classes (an annotation-file list such as the
  Caltech-256 split): every label must be a TSB row (``label < K``), and the
  log says that the order comes from the annotation file.

A mismatch is refused (ValueError) before the first iteration; nothing is
reordered silently. The message lists the names in the dataset's order,
ready to paste into a names file (or a ``classes=`` list).
"""
import os.path as osp
from typing import List, Optional, Sequence, Tuple

from .category_sets import CATEGORY_SETS

_SHOW = 8  # mismatching rows shown in a message


def _imagenet1k_dataset():
    from mmpretrain.datasets.categories import IMAGENET_CATEGORIES
    return IMAGENET_CATEGORIES


# Built-in sets whose names are edited versions of a dataset's own class
# names, row k = the dataset's label k (CLIP's curated ImageNet names vs
# mmpretrain's WordNet synonyms): the label check accepts either at index k.
DATASET_CLASS_NAMES = {
    'imagenet1k': _imagenet1k_dataset,
}


def canonical_name(name: str, synonyms: bool = False) -> str:
    """Canonical form of a category name for comparison.

    Args:
        name (str): the name.
        synonyms (bool): ``name`` may list synonyms separated by ``', '``
            (a dataset's class name): keep the first.
    """
    if synonyms:
        name = name.split(',')[0]
    return ' '.join(name.replace('_', ' ').casefold().split())


def dataset_label_names(dataset) -> Tuple[Optional[List[str]], str]:
    """The dataset's label -> name map and where it comes from.

    Args:
        dataset: an mmengine / mmpretrain dataset (dataset wrappers with a
            ``.dataset`` attribute are looked through).

    Returns:
        tuple: (names in label order, or None when the dataset names no
        classes; a phrase naming the source, for messages).
    """
    inner = dataset
    while not hasattr(inner, 'metainfo') and hasattr(inner, 'dataset'):
        inner = inner.dataset
    folders = getattr(inner, 'folder_to_idx', None)
    if folders:
        names = sorted(folders, key=folders.get)
        where = getattr(inner, 'img_prefix', '')
        return names, f'the class folders of {where!r} (sorted)'
    classes = (getattr(inner, 'metainfo', None) or {}).get('classes')
    ann = getattr(inner, 'ann_file', '')
    if classes:
        return [str(c) for c in classes], (
            f'{type(inner).__name__} classes' +
            (f' (labels from {osp.basename(ann)!r})' if ann else ''))
    return None, (f'annotation file {ann!r}' if ann else
                  f'{type(inner).__name__}')


def _gt_labels(dataset) -> List[int]:
    inner = dataset
    while not hasattr(inner, 'get_gt_labels') and hasattr(inner, 'dataset'):
        inner = inner.dataset
    if hasattr(inner, 'get_gt_labels'):
        return [int(x) for x in inner.get_gt_labels()]
    return [int(inner.get_data_info(i)['gt_label'])
            for i in range(len(inner))]


def _in_dataset_order(names: Sequence[str],
                      tsb_classes: Sequence[str]) -> Optional[List[str]]:
    """The TSB's names reordered to the dataset's labels, or None when some
    dataset class has no TSB name."""
    keys = {canonical_name(n): n for n in tsb_classes}
    out = [keys.get(canonical_name(n, synonyms=True)) for n in names]
    return None if None in out else out


def _aliases(tsb_classes: Sequence[str]) -> Optional[List[str]]:
    """A built-in set's dataset names when the TSB is exactly that set."""
    for name, dataset_names in DATASET_CLASS_NAMES.items():
        if list(tsb_classes) == list(CATEGORY_SETS[name]()):
            return list(dataset_names())
    return None


def check_labels_match_tsb(dataset, tsb_classes: Sequence[str],
                           where: str = 'zero-shot evaluation') -> str:
    """Refuse a dataset whose labels do not index the TSB's rows (module
    docstring: the matching rule).

    Args:
        dataset: the labelled dataset (val or test).
        tsb_classes (Sequence[str]): the TSB's K names, row order.
        where (str): what is checked, for messages.

    Returns:
        str: one line for the log saying what was checked.

    Raises:
        ValueError: labels and rows disagree; the message names the first
            differing rows and how to fix it.
    """
    tsb_classes = list(tsb_classes)
    names, source = dataset_label_names(dataset)
    k = len(tsb_classes)
    if names is None:
        try:
            labels = _gt_labels(dataset)
        except (KeyError, TypeError):
            return f'{where}: {source} has no labels; nothing to check.'
        top = max(labels, default=-1)
        if top >= k:
            raise ValueError(
                f'{where}: {source} has label {top} but the TSB has only {k} '
                'rows: the annotation file and the TSB classes describe '
                'different category lists.')
        return (f'{where}: labels 0..{top} of {source} are taken as TSB '
                f'rows in that order (the dataset names no classes; the '
                f'annotation file fixes the order), K={k}.')
    if len(names) > k:
        raise ValueError(
            f'{where}: {source} has {len(names)} classes but the TSB only '
            f'{k} rows ({tsb_classes[:_SHOW]}...): give the TSB the '
            "dataset's classes.")
    aliases = _aliases(tsb_classes)
    bad = []
    for i, name in enumerate(names):
        mine = canonical_name(name, synonyms=True)
        ok = mine == canonical_name(tsb_classes[i])
        if not ok and aliases is not None:
            ok = mine == canonical_name(aliases[i], synonyms=True)
        if not ok:
            bad.append(i)
    if bad:
        eg = ', '.join(f'label {i} = {names[i]!r} vs row {i} = '
                       f'{tsb_classes[i]!r}' for i in bad[:_SHOW])
        same_set = _in_dataset_order(names, tsb_classes) is not None
        fix = ("the same names in another order: list the TSB's names in "
               'the dataset order, e.g. a names file with the lines '
               f'{_in_dataset_order(names, tsb_classes)[:_SHOW * 4]}'
               if same_set else
               'different names: make the TSB classes (names file, '
               "category set or list) the dataset's classes in its order")
        raise ValueError(
            f'{where}: the labels of {source} do not match the TSB rows '
            f'({len(bad)} of {len(names)} differ: {eg}); the accuracy would '
            f'score images against the wrong text. They are {fix}. Rule: '
            'label k must name TSB row k, compared ignoring case, spaces '
            "and underscores (a dataset name 'a, b' by 'a'); "
            'mmpretrain CustomDataset numbers class folders in sorted '
            'order, and its classes= argument only renames them.')
    extra = f' (+{k - len(names)} TSB rows no image is labelled with)' \
        if k > len(names) else ''
    return (f'{where}: the {len(names)} labels of {source} match the TSB '
            f'rows{extra}.')
