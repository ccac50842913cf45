"""One Fashion-MNIST scene: items pasted on a textured background, with
their visible masks (used by :mod:`.scenes`).

Each scene pastes 2-5 items (scale 0.75-1.5 of 28 px, random position) onto
a low-contrast textured background (stripes + noise). An item's mask is its
resized pixels ``> threshold`` with holes filled; the item's pixels overwrite
the canvas inside its mask, so later items occlude earlier ones. A new item is
placed only where the tight box of its mask has IoU <= ``max_iou`` with every
box already placed (20 tries, else dropped). Items left with a visible area
below ``max(min_area, min_visible * full area)`` are removed from the scene
altogether, so every visible item pixel is annotated.
"""
from typing import Sequence

import numpy as np
from PIL import Image
from scipy.ndimage import binary_fill_holes

RENDER_DEFAULTS = dict(scale=(0.75, 1.5), max_iou=0.3, threshold=24,
                       min_area=20, min_visible=0.3)


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    """Low-contrast stripes + noise, (size, size) uint8, mean 10..50."""
    yy, xx = np.mgrid[0:size, 0:size]
    theta, phase = rng.uniform(0, np.pi), rng.uniform(0, 2 * np.pi)
    freq = rng.uniform(0.03, 0.2)  # cycles per pixel
    along = xx * np.cos(theta) + yy * np.sin(theta)
    wave = np.sin(2 * np.pi * freq * along + phase)
    bg = rng.uniform(10, 50) + rng.uniform(3, 12) * wave
    bg = bg + rng.normal(0, rng.uniform(2, 6), (size, size))
    return np.clip(np.rint(bg), 0, 255).astype(np.uint8)


def _box_iou(a, b) -> float:
    """IoU of boxes (x0, y0, x1, y1), x1/y1 exclusive."""
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return inter / (area - inter)


def _visible(full: Sequence[np.ndarray]):
    """Visible part of each mask; later masks occlude earlier ones."""
    if not full:
        return []
    cover, vis = np.zeros_like(full[0]), [None] * len(full)
    for i in reversed(range(len(full))):
        vis[i] = full[i] & ~cover
        cover |= full[i]
    return vis


def render_scene(rng, images, labels, canvas=128, items=(2, 5),
                 scale=(0.75, 1.5), max_iou=0.3, threshold=24, min_area=20,
                 min_visible=0.3):
    """Render one scene from items ``images`` (N, 28, 28) uint8, ``labels``.

    ``scale``: item side / 28 px range; ``max_iou``: box IoU limit against
    placed items; ``threshold``: mask = pixel > threshold (holes filled);
    items whose visible area < max(min_area, min_visible * full area) are
    removed from the scene.

    Returns:
        image (canvas, canvas) uint8, label map (canvas, canvas) uint8 (0 bg,
        class + 1), and a list of (class 0..9, visible bool mask) in paint
        order; ``label == c + 1`` equals the union of the visible masks of
        class ``c``.
    """
    bg = _background(rng, canvas)
    placed = []  # (class, full-canvas mask, full-canvas pixel values)
    for _ in range(rng.integers(items[0], items[1] + 1)):
        for _try in range(20):
            j = int(rng.integers(len(images)))
            side = int(round(28 * rng.uniform(*scale)))
            patch = np.asarray(Image.fromarray(images[j]).resize(
                (side, side), Image.BILINEAR))
            m = binary_fill_holes(patch > threshold)
            if m.sum() < min_area:
                continue
            y0, x0 = (int(v) for v in rng.integers(0, canvas - side + 1, 2))
            ys, xs = np.nonzero(m)
            box = (x0 + xs.min(), y0 + ys.min(), x0 + xs.max() + 1,
                   y0 + ys.max() + 1)
            if all(_box_iou(box, b) <= max_iou for _, b, _, _ in placed):
                full = np.zeros((canvas, canvas), bool)
                full[y0:y0 + side, x0:x0 + side] = m
                pix = np.zeros((canvas, canvas), np.uint8)
                pix[y0:y0 + side, x0:x0 + side] = patch
                placed.append((int(labels[j]), box, full, pix))
                break
    vis = _visible([p[2] for p in placed])
    placed = [p for p, v in zip(placed, vis)
              if v.sum() >= max(min_area, min_visible * p[2].sum())]
    img, seg = bg, np.zeros((canvas, canvas), np.uint8)
    for cls, _, full, pix in placed:
        img = np.where(full, pix, img)
        seg[full] = cls + 1
    vis = _visible([p[2] for p in placed])
    return img, seg, [(p[0], v) for p, v in zip(placed, vis)]
