"""mmcv 2.1.0 under numpy 2: a negative hue shift must not crash.

``mmcv.adjust_hue`` adds ``np.uint8(hue_factor * 255)`` to the hue channel,
relying on the wrap-around numpy 1 applied to negative values. numpy 2
raises ``OverflowError`` when ``hue_factor`` is a Python float (as
mmpretrain's ``ColorJitter`` passes it), so the MoCo v2 pipeline of the LGD
configs (``hue=0.1``) failed on about half of the jittered images. A numpy
scalar still wraps, so the patched function only hands mmcv the factor as
``np.float64``; results are the ones numpy 1 gave.
"""
import mmcv
import mmcv.image
import mmcv.image.photometric as photometric
import numpy as np

_original = photometric.adjust_hue


def adjust_hue(img: np.ndarray, hue_factor: float, backend=None):
    """``mmcv.adjust_hue`` with the numpy-2 fix (same args and result)."""
    return _original(img, np.float64(hue_factor), backend=backend)


def install() -> None:
    """Route ``mmcv.adjust_hue`` through :func:`adjust_hue`. Idempotent."""
    for module in (mmcv, mmcv.image, photometric):
        module.adjust_hue = adjust_hue
