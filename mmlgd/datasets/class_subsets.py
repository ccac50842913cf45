"""Seeded per-class image lists for the paper's evaluation protocols.

* ImageNet-1k 1% / 10%: the authors drew 13 and 128 random training images
  per class (github.com/mZhenz/LGD, ``tools/make-imgnet-subset.py``).
* Caltech-256: 60 random images per class for training, the rest for
  validation, over the 256 object classes (``257.clutter`` excluded; authors'
  ``tools/make-caltech-trainval.py``).

The authors shuffled with Python's unseeded ``random``; here every draw is
seeded (numpy's PCG64 seeded with ``(seed, class index)``), so a list is
reproducible and a class's draw does not depend on the other classes.

Outputs are mmpretrain annotation files, one ``<class folder>/<file> <label>``
line per image, read with ``ann_file=...`` and ``data_prefix=<the image
root>`` by ``ImageNet`` / ``CustomDataset``; labels follow the order of the
class list (sorted folders for ImageNet, :data:`CALTECH256_FOLDERS` for
Caltech-256, which is also the ``caltech256`` TSB's row order). Files are
written atomically and never overwritten without ``force``.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmlgd.utils.fileio import atomic_write_text
from mmlgd.utils.images import list_image_files


def list_images(root: str, classes: Sequence[str]) -> Dict[str, List[str]]:
    """Sorted image file names (by extension, case-insensitive) of each class
    folder ``root/<class>``.

    Raises:
        FileNotFoundError: ``root`` or some class folders are missing; the
            message names them.
    """
    if not osp.isdir(root):
        raise FileNotFoundError(f'Image folder {root} does not exist.')
    missing = [c for c in classes if not osp.isdir(osp.join(root, c))]
    if missing:
        raise FileNotFoundError(
            f'{root} lacks {len(missing)} of {len(classes)} class folders: '
            f'{_some(missing)}. Point the tool at the folder that holds one '
            'sub-folder per class (complete dataset).')
    return {c: list_image_files(osp.join(root, c)) for c in classes}


def draw_per_class(images: Dict[str, List[str]], classes: Sequence[str],
                   num: int, seed: int,
                   min_rest: int = 0) -> List[Tuple[List[str], List[str]]]:
    """Split each class's images into ``num`` drawn ones and the rest.

    Args:
        images: class -> sorted file names (:func:`list_images`).
        classes: the class order (class ``i`` draws with seed ``(seed, i)``).
        num: images drawn per class.
        seed: base seed.
        min_rest: images each class must keep besides the drawn ones.

    Returns:
        list of (drawn, rest) per class, each sorted.

    Raises:
        ValueError: ``num`` < 1, or classes with fewer than
            ``num + min_rest`` images (named, with their counts).
    """
    if num < 1:
        raise ValueError(f'Images per class must be >= 1, got {num}.')
    need = num + min_rest
    short = [f'{c} ({len(images[c])})' for c in classes
             if len(images[c]) < need]
    if short:
        raise ValueError(
            f'{len(short)} classes have fewer than the {need} images per '
            f'class needed ({num} drawn + {min_rest} kept): {_some(short)}. '
            'Ask for fewer images or complete those folders.')
    out = []
    for i, c in enumerate(classes):
        rng = np.random.default_rng([seed, i])
        pick = set(rng.choice(len(images[c]), size=num,
                              replace=False).tolist())
        files = images[c]
        out.append(([f for j, f in enumerate(files) if j in pick],
                    [f for j, f in enumerate(files) if j not in pick]))
    return out


def ann_lines(classes: Sequence[str], files: Sequence[List[str]]) -> str:
    """``<class>/<file> <label>`` lines, label = index in ``classes``."""
    return ''.join(f'{c}/{f} {label}\n'
                   for label, (c, fs) in enumerate(zip(classes, files))
                   for f in fs)


def make_imagenet_subset(train_dir: str, out_file: str, num_per_class: int,
                         seed: int = 0, num_classes: Optional[int] = 1000,
                         force: bool = False) -> int:
    """Write a list of ``num_per_class`` seeded random images per class of an
    ImageNet-style training folder (13 -> the paper's 1%, 128 -> 10%).

    Args:
        train_dir (str): ``<root>/train`` with one folder per class (WordNet
            ids); classes in sorted order give the labels.
        out_file (str): the annotation file to write.
        num_per_class (int): images per class.
        seed (int): base seed.
        num_classes (int, optional): expected number of class folders
            (1000); ``None`` accepts any.
        force (bool): replace an existing ``out_file``.

    Returns:
        int: the number of lines written.

    Raises:
        FileNotFoundError: ``train_dir`` missing.
        FileExistsError: ``out_file`` exists and ``force`` is False.
        ValueError: wrong number of class folders; a class with fewer than
            ``num_per_class`` images (named).
    """
    if not force and osp.lexists(out_file):
        raise FileExistsError(f'{out_file} already exists; refusing to '
                              'overwrite it. Pass --force to replace it.')
    if not osp.isdir(train_dir):
        raise FileNotFoundError(f'Image folder {train_dir} does not exist.')
    classes = sorted(d for d in os.listdir(train_dir)
                     if osp.isdir(osp.join(train_dir, d)))
    if num_classes is not None and len(classes) != num_classes:
        raise ValueError(
            f'{train_dir} has {len(classes)} class folders, expected '
            f'{num_classes}: labels would not match the dataset\'s. Use the '
            'complete training folder (or --num-classes).')
    drawn = draw_per_class(list_images(train_dir, classes), classes,
                           num_per_class, seed)
    text = ann_lines(classes, [d for d, _ in drawn])
    atomic_write_text(out_file, text, force=force)
    return text.count('\n')


def split_caltech256(image_dir: str, out_dir: str, num_train: int = 60,
                     seed: int = 0, force: bool = False) -> Tuple[int, int]:
    """Write ``train.txt`` (``num_train`` seeded random images per class) and
    ``val.txt`` (the rest) for Caltech-256's 256 object classes.

    Args:
        image_dir (str): ``256_ObjectCategories`` (``001.ak47`` ...
            ``256.toad``; ``257.clutter`` is ignored).
        out_dir (str): folder for ``train.txt`` and ``val.txt``.
        num_train (int): training images per class (the paper: 60).
        seed (int): base seed.
        force (bool): replace existing lists.

    Returns:
        tuple[int, int]: numbers of train and val lines.

    Raises:
        FileNotFoundError: ``image_dir`` missing or missing class folders
            (named).
        FileExistsError: a list exists and ``force`` is False.
        ValueError: a class with no image left for validation (named).
    """
    from mmlgd.models.text.category_sets import CALTECH256_FOLDERS
    outs = [osp.join(out_dir, f'{s}.txt') for s in ('train', 'val')]
    if not force:
        for path in outs:
            if osp.lexists(path):
                raise FileExistsError(
                    f'{path} already exists; refusing to overwrite it. Pass '
                    '--force to replace it.')
    classes = list(CALTECH256_FOLDERS)
    splits = draw_per_class(list_images(image_dir, classes), classes,
                            num_train, seed, min_rest=1)
    texts = [ann_lines(classes, files) for files in zip(*splits)]
    for path, text in zip(outs, texts):  # both built before either is written
        atomic_write_text(path, text, force=force)
    return texts[0].count('\n'), texts[1].count('\n')


def _some(items: Sequence[str], n: int = 10) -> str:
    shown = ', '.join(items[:n])
    return shown + (f' ... ({len(items) - n} more)' if len(items) > n else '')
