"""Tiny generated data for the transfer tests (nothing is downloaded).

* :func:`make_lgd_checkpoint`: an LGD-format pre-training checkpoint
  (``backbone.*`` = an mmpretrain student with random, distinctive values,
  ``neck.*`` = projector and banks) written with ``torch.save``.
* :func:`make_coco_instances`: COCO-format instance data (squares and discs
  on noise, polygons as masks).
* :func:`make_seg_data`: semantic segmentation images + label PNGs.
"""
import json
import os
import os.path as osp
from typing import Dict, Tuple

import numpy as np
import torch
from PIL import Image, ImageDraw

SHAPES = ('square', 'disc')
SEG_CLASSES = ('background', 'square', 'disc')


def build_student(arch: str = 'r18') -> torch.nn.Module:
    """An mmpretrain student backbone: 'r18', 'r50' or 'mbv2'."""
    from mmpretrain.models import MobileNetV2, ResNet
    if arch == 'mbv2':
        return MobileNetV2(widen_factor=1.0)
    return ResNet(depth={'r18': 18, 'r50': 50}[arch])


def randomise_(module: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    """Fill every parameter/buffer with distinctive random values, in place
    (BN variances positive, ``num_batches_tracked`` a random count)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in module.state_dict().items():
            if not t.is_floating_point():
                t.fill_(int(torch.randint(1, 1000, (1, ), generator=gen)))
            elif name.endswith('running_var'):
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            else:
                t.copy_(torch.randn(t.shape, generator=gen) * 0.1)
    return module


def make_lgd_checkpoint(path: str, arch: str = 'r18', seed: int = 0,
                        num_classes: int = 10,
                        dim: int = 64) -> Dict[str, torch.Tensor]:
    """Write an LGD-format checkpoint; return the student's state dict.

    The file is ``{'meta': {...}, 'state_dict': {'backbone.<k>': ...,
    'neck.projector.*', 'neck.vsb' (num_classes x dim),
    'neck.vsb_initialized' (num_classes,)}}``; the returned dict has the
    student's keys without prefix (clones).
    """
    student = randomise_(build_student(arch), seed)
    sd = {k: v.clone() for k, v in student.state_dict().items()}
    c = {'r18': 512, 'r50': 2048, 'mbv2': 1280}[arch]  # student out channels
    full = {f'backbone.{k}': v for k, v in sd.items()}
    full.update({
        'neck.projector.0.weight': torch.randn(c, c),
        'neck.projector.0.bias': torch.randn(c),
        'neck.projector.2.weight': torch.randn(dim, c),
        'neck.projector.2.bias': torch.randn(dim),
        'neck.vsb': torch.nn.functional.normalize(
            torch.randn(num_classes, dim), dim=1),
        'neck.vsb_initialized': torch.zeros(num_classes, dtype=torch.bool),
    })
    meta = dict(epoch=200, iter=1000, seed=seed, experiment_name='tiny_lgd')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    torch.save({'meta': meta, 'state_dict': full}, path)
    return sd


def _noise_image(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.integers(0, 60, (size, size, 3), dtype=np.uint8)


def _random_box(rng, size, lo, hi) -> Tuple[int, int, int, int]:
    w, h = (int(v) for v in rng.integers(lo, hi, 2))
    x, y = int(rng.integers(0, size - w)), int(rng.integers(0, size - h))
    return x, y, w, h


def _disc_polygon(x, y, w, h, n=16):
    cx, cy = x + w / 2, y + h / 2
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([cx + w / 2 * np.cos(t), cy + h / 2 * np.sin(t)],
                    1).round(1)


def make_coco_instances(root: str, num_images: int = 4, size: int = 128,
                        seed: int = 0) -> str:
    """Write ``root/images/*.png`` and ``root/annotations.json`` (COCO).

    Each image holds 2-3 objects, squares (category 1) and discs (2), with
    polygon masks. Returns the annotation file path.
    """
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'images'), exist_ok=True)
    images, anns = [], []
    for i in range(num_images):
        img = Image.fromarray(_noise_image(rng, size))
        draw = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(2, 4))):
            x, y, w, h = _random_box(rng, size, size // 5, size // 2)
            cat = int(rng.integers(1, 3))
            if cat == 1:
                poly = np.array([[x, y], [x + w, y], [x + w, y + h],
                                 [x, y + h]], dtype=float)
            else:
                poly = _disc_polygon(x, y, w, h)
            color = tuple(int(v) for v in rng.integers(120, 256, 3))
            draw.polygon([tuple(p) for p in poly], fill=color)
            anns.append(dict(
                id=len(anns) + 1, image_id=i + 1, category_id=cat,
                bbox=[x, y, w, h], area=float(w * h), iscrowd=0,
                segmentation=[poly.reshape(-1).tolist()]))
        name = f'{i:04d}.png'
        img.save(osp.join(root, 'images', name))
        images.append(dict(id=i + 1, file_name=name, width=size,
                           height=size))
    categories = [dict(id=k + 1, name=n) for k, n in enumerate(SHAPES)]
    ann_file = osp.join(root, 'annotations.json')
    with open(ann_file, 'w') as f:
        json.dump(dict(images=images, annotations=anns,
                       categories=categories), f)
    return ann_file


def make_seg_data(root: str, num_images: int = 4, size: int = 64,
                  seed: int = 0) -> str:
    """Write ``root/img_dir/*.png`` and ``root/ann_dir/*.png`` (labels 0-2:
    background, square, disc). Returns ``root``."""
    rng = np.random.default_rng(seed)
    for sub in ('img_dir', 'ann_dir'):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    for i in range(num_images):
        img = Image.fromarray(_noise_image(rng, size))
        label = Image.new('L', (size, size), 0)
        for cat in (1, 2):
            x, y, w, h = _random_box(rng, size, size // 4, size // 2)
            color = tuple(int(v) for v in rng.integers(120, 256, 3))
            shape = [x, y, x + w, y + h]
            draw = 'rectangle' if cat == 1 else 'ellipse'
            getattr(ImageDraw.Draw(img), draw)(shape, fill=color)
            getattr(ImageDraw.Draw(label), draw)(shape, fill=cat)
        img.save(osp.join(root, 'img_dir', f'{i:04d}.png'))
        label.save(osp.join(root, 'ann_dir', f'{i:04d}.png'))
    return root
