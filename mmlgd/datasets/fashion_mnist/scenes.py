"""Fashion-MNIST scenes: detection/segmentation data from real Fashion-MNIST.

Usage::

    python tools/dataset_converters/make_fmnist_scenes.py \
        [--fmnist data/fashion_mnist] [--out data/fmnist_scenes] \
        [--n-train 2000] [--n-val 500] [--canvas 128] [--items 2 5] \
        [--seed 0] [--force]

How one scene is drawn: :mod:`.render`.

Training scenes use the labelled ``teacher`` and ``probe_*`` splits written
by ``prepare_fashion_mnist.py`` (:mod:`.splits`), never ``pretrain`` or
``test``; validation scenes use the official test set (``test`` split).

Output layout under ``out``::

    images/{train,val}/000001.png     RGB (grey replicated), canvas x canvas
    ann_dir/{train,val}/000001.png    uint8 labels: 0 background, k = class k
                                      (1..10); 255 (ignore) is never used
    annotations/instances_{train,val}.json   COCO: category ids 1..10, bbox
                                      [x, y, w, h] and area of the VISIBLE
                                      mask, iscrowd 0, compressed-RLE masks
    scenes.json                       config + counts; written last

Deterministic: scene ``i`` of a split depends only on (seed, split, i).
Re-running with the same arguments skips; different ones need ``--force``.
"""
import hashlib
import io
import json
import os
import os.path as osp
import re
import time
from typing import Dict, Tuple, Union

import numpy as np
from PIL import Image

from mmlgd.utils.fileio import (
    atomic_write_bytes,
    atomic_write_json,
    check_output_dir,
)

from .idx import progress, read_idx
from .render import RENDER_DEFAULTS, render_scene
from .splits import MARKER as FMNIST_MARKER

__all__ = ['MARKER', 'RENDER_DEFAULTS', 'class_names', 'load_items',
           'make_scenes', 'render_scene']

MARKER = 'scenes.json'
Arrays = Tuple[np.ndarray, np.ndarray]  # images (N, 28, 28) uint8, labels (N,)


def class_names() -> Tuple[str, ...]:
    """The 10 Fashion-MNIST names, from mmpretrain's FashionMNIST METAINFO."""
    from mmpretrain.datasets.categories import FASHIONMNIST_CATEGORITES
    return tuple(FASHIONMNIST_CATEGORITES)


def load_items(fmnist_root: str) -> Tuple[Dict[str, Arrays], dict]:
    """Item pools from a ``prepare_fashion_mnist.py`` output folder.

    Returns:
        ({'train': teacher + probe_* items (deduplicated), 'val': test items},
        fingerprint dict of the source layout).

    Raises:
        FileNotFoundError: ``fmnist_root/splits.json`` is missing.
    """
    marker = osp.join(fmnist_root, FMNIST_MARKER)
    if not osp.isfile(marker):
        raise FileNotFoundError(
            f'{marker} not found: run tools/dataset_converters/'
            f'prepare_fashion_mnist.py --out {fmnist_root} first.')
    with open(marker, encoding='utf-8') as f:
        meta = json.load(f)
    train = [s for s in meta['splits']
             if s == 'teacher' or s.startswith('probe_')]

    def read(split, prefix):
        d = osp.join(fmnist_root, split)
        return (read_idx(osp.join(d, f'{prefix}-images-idx3-ubyte')),
                read_idx(osp.join(d, f'{prefix}-labels-idx1-ubyte')))

    parts = [read(s, 'train') for s in train]
    idx = np.concatenate([meta['splits'][s]['indices'] for s in train])
    _, first = np.unique(idx, return_index=True)  # nested probes overlap
    pools = {'train': tuple(np.concatenate(a)[first] for a in zip(*parts)),
             'val': read('test', 't10k')}
    return pools, dict(fmnist=meta['config'], train_splits=train)


def _png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format='PNG')
    return buf.getvalue()


def make_scenes(source: Union[str, Dict[str, Arrays]], out: str,
                n_train: int = 2000, n_val: int = 500, canvas: int = 128,
                items: Tuple[int, int] = (2, 5), seed: int = 0,
                force: bool = False, **render_kw) -> dict:
    """Write (or verify and skip) the scenes dataset under ``out``.

    Args:
        source: a ``prepare_fashion_mnist.py`` output folder, or a dict
            ``{'train': (images, labels), 'val': (images, labels)}`` with
            images (N, 28, 28) uint8 and labels (N,) ints in 0..9.
        out: output root (layout in the module docstring).
        n_train, n_val: number of scenes per split.
        canvas: scene side in pixels. items: (min, max) items per scene.
        seed: base seed. force: overwrite a different existing output.
        **render_kw: scale, max_iou, threshold, min_area, min_visible (see
            :func:`render_scene`).

    Returns:
        summary dict: out, skipped, seconds, scenes and instances per split.

    Raises:
        FileNotFoundError: source folder not prepared.
        FileExistsError: ``out`` holds something else and force is False.
        ValueError: bad sizes or label values.
    """
    t0 = time.time()
    pools, fingerprint = _pools(source)
    unknown = set(render_kw) - set(RENDER_DEFAULTS)
    if unknown:
        raise ValueError(f'unknown render options {sorted(unknown)}; known: '
                         f'{sorted(RENDER_DEFAULTS)}')
    if not (0 < items[0] <= items[1]) or canvas < 42:
        raise ValueError('need 0 < items[0] <= items[1] and canvas >= 42, '
                         f'got items={items}, canvas={canvas}')
    render_kw = {**RENDER_DEFAULTS, **render_kw}
    counts = {'train': int(n_train), 'val': int(n_val)}
    config = dict(seed=int(seed), counts=counts, canvas=int(canvas),
                  items=list(items), render=render_kw, source=fingerprint,
                  format_version=1)
    names = {s: [f'{i + 1:06d}.png' for i in range(n)]
             for s, n in counts.items()}
    files = [f'annotations/instances_{s}.json' for s in counts] + [
        f'{d}/{s}/{f}' for s in counts for f in names[s]
        for d in ('images', 'ann_dir')]
    summary = dict(out=out, seed=seed, scenes=counts)
    if check_output_dir(out, MARKER, config, files, force):
        summary.update(skipped=True, seconds=round(time.time() - t0, 2))
        return summary
    _remove_stale(out)
    cats = [dict(id=k + 1, name=n, supercategory='fashion')
            for k, n in enumerate(class_names())]
    instances = {}
    for code, (split, n) in enumerate(counts.items()):
        images, labels = pools[split]
        coco = dict(images=[], annotations=[], categories=cats)
        anns = coco['annotations']
        for i in progress(range(n), f'{split} scenes', 'scene'):
            rng = np.random.default_rng([seed, code, i])
            img, seg, objs = render_scene(rng, images, labels, canvas, items,
                                          **render_kw)
            fname = names[split][i]
            atomic_write_bytes(osp.join(out, 'images', split, fname),
                               _png(np.repeat(img[..., None], 3, axis=2)))
            atomic_write_bytes(osp.join(out, 'ann_dir', split, fname),
                               _png(seg))
            coco['images'].append(dict(id=i + 1, file_name=fname,
                                       height=canvas, width=canvas))
            anns += [_coco_ann(m, c, i + 1, len(anns) + k + 1)
                     for k, (c, m) in enumerate(objs)]
        atomic_write_json(
            osp.join(out, 'annotations', f'instances_{split}.json'), coco,
            indent=None)
        instances[split] = len(anns)
    atomic_write_json(osp.join(out, MARKER),
                      dict(config=config, instances=instances))
    summary.update(skipped=False, instances=instances,
                   seconds=round(time.time() - t0, 2))
    return summary


def _pools(source) -> Tuple[Dict[str, Arrays], dict]:
    """Item pools + fingerprint from a prepared folder or from arrays."""
    if isinstance(source, str):
        return load_items(source)
    pools, h = {}, hashlib.sha256()
    for k in ('train', 'val'):
        im, lab = np.asarray(source[k][0]), np.asarray(source[k][1])
        if (im.ndim != 3 or im.dtype != np.uint8 or len(im) != len(lab)
                or not len(lab) or lab.min() < 0 or lab.max() > 9):
            raise ValueError(f'{k} items: need uint8 images (N, H, W) and '
                             'N labels in 0..9')
        pools[k] = (im, lab)
        h.update(im.tobytes() + lab.astype('<i8').tobytes())
    return pools, dict(arrays_sha256=h.hexdigest())


def _coco_ann(mask: np.ndarray, cls: int, image_id: int, ann_id: int) -> dict:
    from pycocotools import mask as mask_utils
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    bbox = [float(v) for v in mask_utils.toBbox(rle)]
    rle['counts'] = rle['counts'].decode('ascii')
    return dict(id=ann_id, image_id=image_id, category_id=cls + 1, bbox=bbox,
                area=float(mask_utils.area(rle)), iscrowd=0, segmentation=rle)


def _remove_stale(out: str) -> None:
    """Before a (forced) rebuild: unmark, then drop files this tool wrote."""
    pattern = re.compile(r'^\d{6}\.png$')
    for rel in (MARKER, 'annotations/instances_train.json',
                'annotations/instances_val.json'):
        if osp.isfile(osp.join(out, rel)):
            os.unlink(osp.join(out, rel))
    for d in ('images', 'ann_dir'):
        for s in ('train', 'val'):
            folder = osp.join(out, d, s)
            for f in os.listdir(folder) if osp.isdir(folder) else []:
                if pattern.match(f):
                    os.unlink(osp.join(folder, f))
