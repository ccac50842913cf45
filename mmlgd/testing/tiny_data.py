"""Tiny generated data in each dataset's own on-disk format, for running a
shipped config as it is launched without its real data.

:func:`materialise` takes a dataset config (``type``, ``data_root``,
``ann_file``, ``data_prefix``, ...) and writes ``num`` small images plus the
annotations that dataset class reads, under a new ``data_root``; it returns
the config with ``data_root`` (and evaluator paths) pointing there. Formats:

* mmpretrain ``ImageNet`` / ``CustomDataset`` with a list (``path label``
  lines, e.g. ``meta/val.txt``, the Caltech-256 split lists), class folders
  (labelled ``CustomDataset``) or a flat folder (``with_label=False``);
* mmpretrain ``FashionMNIST`` (raw idx files under both name prefixes, as
  ``tools/dataset_converters/prepare_fashion_mnist.py`` writes them);
* mmdet ``CocoDataset`` and its subclasses (COCO json with polygons; LVIS
  json with ``coco_url``, ``frequency`` and the per-image category lists);
* mmseg ``BaseSegDataset`` subclasses (ADE20K, Cityscapes, Fashion-MNIST
  scenes, ...): images and label maps with the class's own suffixes;
* dataset wrappers (``ClassBalancedDataset``, ``RepeatDataset``, ...) and
  ``CachedViewDataset``: their inner ``dataset``.

Images are random noise with filled shapes; labels are drawn from the
dataset's own class list. Nothing is downloaded.
"""
import copy
import inspect
import json
import os
import os.path as osp
from typing import List, Optional

import numpy as np
from PIL import Image, ImageDraw

__all__ = ['materialise', 'dataset_classes']


def _registry(scope: str):
    from mmengine.registry import DATASETS as ROOT
    if scope == 'mmdet':
        from mmdet.registry import DATASETS
    elif scope == 'mmseg':
        from mmseg.registry import DATASETS
    elif scope == 'mmpretrain':
        from mmpretrain.registry import DATASETS
    else:
        DATASETS = ROOT
    return DATASETS


def _class_of(cfg: dict, scope: str):
    """The dataset class named by ``cfg['type']`` (``scope.Name`` allowed).

    Raises:
        KeyError: the type is not registered in ``scope``.
    """
    name = cfg['type']
    if not isinstance(name, str):
        return name
    if '.' in name:
        scope, name = name.split('.', 1)
    cls = _registry(scope).get(name)
    if cls is None:
        raise KeyError(f'Dataset type {name!r} is not registered in '
                       f'{scope!r}; import its package first.')
    return cls


def _default(cls, arg: str, fallback=None):
    for klass in cls.__mro__:
        try:
            param = inspect.signature(klass.__init__).parameters.get(arg)
        except (TypeError, ValueError):
            continue
        if param is not None and param.default is not inspect._empty:
            return param.default
    return fallback


def dataset_classes(cfg: dict, scope: str) -> List[str]:
    """Class names of a dataset config: ``metainfo.classes`` when given,
    else the class's ``METAINFO`` (empty list when it has none)."""
    meta = cfg.get('metainfo') or {}
    if meta.get('classes'):
        return list(meta['classes'])
    cls = _class_of(cfg, scope)
    return list(getattr(cls, 'METAINFO', {}).get('classes', ()))


def _noise(rng, h, w):
    return rng.integers(0, 80, (h, w, 3), dtype=np.uint8)


def _save(path: str, arr: np.ndarray) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(arr).save(path)


def _prefix(cfg: dict, key: str = 'img_path') -> str:
    prefix = cfg.get('data_prefix', '')
    if isinstance(prefix, dict):
        return prefix.get(key, prefix.get('img', ''))
    return prefix or ''


def _write_list(cfg, root, num, size, num_classes, rng):
    """mmpretrain ImageNet / CustomDataset: a ``path label`` list (or
    class folders, or a flat folder) under ``data_root/prefix``."""
    split = cfg.get('split', '') or ''
    prefix = _prefix(cfg) or split
    ann = cfg.get('ann_file', '') or (f'meta/{split}.txt' if split else '')
    with_label = cfg.get('with_label', True)
    lines = []
    for i in range(num):
        label = i % max(1, min(num_classes or 2, 2))
        rel = f'c{label}/{i:04d}.png' if with_label or ann else f'{i:04d}.png'
        _save(osp.join(root, prefix, rel), _noise(rng, size, size))
        lines.append(f'{rel} {label}' if with_label else rel)
    if ann:
        os.makedirs(osp.dirname(osp.join(root, ann)), exist_ok=True)
        with open(osp.join(root, ann), 'w') as f:
            f.write('\n'.join(lines) + '\n')


def _write_fashion_mnist(root, num, rng):
    from mmlgd.datasets.fashion_mnist.idx import write_idx
    os.makedirs(root, exist_ok=True)
    imgs = rng.integers(0, 256, (num, 28, 28), dtype=np.uint8)
    labs = (np.arange(num) % 10).astype(np.uint8)
    for main in ('train', 't10k'):
        write_idx(osp.join(root, f'{main}-images-idx3-ubyte'), imgs)
        write_idx(osp.join(root, f'{main}-labels-idx1-ubyte'), labs)


def _shapes(rng, size, count):
    """``count`` (x, y, w, h) boxes inside a ``size`` square."""
    out = []
    for _ in range(count):
        w, h = (int(v) for v in rng.integers(size // 4, size // 2, 2))
        x, y = (int(rng.integers(0, size - v)) for v in (w, h))
        out.append((x, y, w, h))
    return out


def _write_coco(cfg, root, num, size, classes, rng, lvis: bool):
    ann_file = osp.join(root, cfg['ann_file'])
    img_dir = _prefix(cfg, 'img')
    images, anns = [], []
    counts = np.zeros(len(classes), int)
    for i in range(num):
        img = Image.fromarray(_noise(rng, size, size))
        draw = ImageDraw.Draw(img)
        name = f'{i + 1:012d}.jpg'
        for x, y, w, h in _shapes(rng, size, 2):
            cat = int(rng.integers(0, min(len(classes), 3)))
            counts[cat] += 1
            poly = [x, y, x + w, y, x + w, y + h, x, y + h]
            draw.polygon(poly, fill=tuple(int(v) for v in
                                          rng.integers(120, 256, 3)))
            anns.append(dict(id=len(anns) + 1, image_id=i + 1,
                             category_id=cat + 1, bbox=[x, y, w, h],
                             area=float(w * h), iscrowd=0,
                             segmentation=[[float(v) for v in poly]]))
        info = dict(id=i + 1, file_name=name, width=size, height=size)
        if lvis:  # LVIS v1 derives the path from coco_url: split/name
            sub = 'train2017'
            info.update(coco_url=f'http://images.cocodataset.org/{sub}/'
                        f'{name}', neg_category_ids=[],
                        not_exhaustive_category_ids=[])
            path = osp.join(root, img_dir, sub, name)
        else:
            path = osp.join(root, img_dir, name)
        os.makedirs(osp.dirname(path), exist_ok=True)
        img.save(path)
        images.append(info)
    cats = []
    for k, n in enumerate(classes):
        cat = dict(id=k + 1, name=n)
        if lvis:
            cat.update(frequency='f' if counts[k] else 'r',
                       image_count=int(counts[k]),
                       instance_count=int(counts[k]))
        cats.append(cat)
    os.makedirs(osp.dirname(ann_file), exist_ok=True)
    with open(ann_file, 'w') as f:
        json.dump(dict(images=images, annotations=anns, categories=cats), f)


def _write_seg(cfg, cls, root, num, size, classes, rng):
    img_suffix = cfg.get('img_suffix', _default(cls, 'img_suffix', '.jpg'))
    seg_suffix = cfg.get('seg_map_suffix',
                         _default(cls, 'seg_map_suffix', '.png'))
    reduce_zero = cfg.get('reduce_zero_label',
                          _default(cls, 'reduce_zero_label', False))
    h, w = size if isinstance(size, tuple) else (size, size)
    img_dir, seg_dir = _prefix(cfg, 'img_path'), _prefix(cfg, 'seg_map_path')
    sub = 'city' if '/' in img_suffix or 'leftImg8bit' in img_suffix else ''
    for i in range(num):
        img = _noise(rng, h, w)
        label = np.zeros((h, w), np.uint8)  # 255 after reduce_zero_label
        for k, (x, y, bw, bh) in enumerate(_shapes(rng, min(h, w), 2)):
            value = 1 + k if reduce_zero else k % len(classes)
            label[y:y + bh, x:x + bw] = value
            img[y:y + bh, x:x + bw] = 150 + 40 * k
        label[: h // 4] = 1 if reduce_zero else 0
        _save(osp.join(root, img_dir, sub, f'{i:04d}{img_suffix}'), img)
        _save(osp.join(root, seg_dir, sub, f'{i:04d}{seg_suffix}'), label)


def materialise(cfg: dict, root: str, num: int, size=40,
                scope: str = 'mmpretrain',
                rng: Optional[np.random.Generator] = None) -> dict:
    """Write ``num`` samples in the format of dataset config ``cfg``.

    Args:
        cfg (dict): a dataset config (wrappers are followed to ``dataset``).
        root (str): the new ``data_root`` (created).
        num (int): number of images.
        size (int | tuple): image side (or (h, w) for segmentation).
        scope (str): registry scope of ``cfg['type']``.
        rng (np.random.Generator, optional): default seeded with 0.

    Returns:
        dict: a copy of ``cfg`` whose ``data_root`` is ``root``.

    Raises:
        KeyError: the dataset type is not registered in ``scope``.
        NotImplementedError: no generator for this dataset class.
    """
    rng = rng or np.random.default_rng(0)
    cfg = copy.deepcopy(dict(cfg))
    if 'dataset' in cfg and isinstance(cfg['dataset'], dict):
        cfg['dataset'] = materialise(cfg['dataset'], root, num, size, scope,
                                     rng)
        return cfg
    cls = _class_of(cfg, scope)
    names = [k.__name__ for k in cls.__mro__]
    cfg['data_root'] = root
    side = max(size) if isinstance(size, tuple) else size
    if 'MNIST' in names:
        _write_fashion_mnist(root, num, rng)
    elif 'BaseSegDataset' in names:
        _write_seg(cfg, cls, root, num, size, dataset_classes(cfg, scope),
                   rng)
    elif 'CocoDataset' in names:
        _write_coco(cfg, root, num, side, dataset_classes(cfg, scope), rng,
                    lvis='LVIS' in cls.__name__)
    elif 'CustomDataset' in names:
        _write_list(cfg, root, num, side, len(dataset_classes(cfg, scope)),
                    rng)
    else:
        raise NotImplementedError(
            f'No tiny-data generator for dataset type {cfg["type"]!r}; add '
            'one to mmlgd/testing/tiny_data.py.')
    return cfg
