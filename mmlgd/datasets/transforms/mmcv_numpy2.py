"""A check that the installed mmcv's ``adjust_hue`` works under numpy 2.

mmcv 2.1.0's ``adjust_hue`` adds ``np.uint8(hue_factor * 255)`` to the hue
channel, relying on the wrap-around numpy 1 applied to negative values.
numpy 2 raises ``OverflowError`` when ``hue_factor`` is a Python float (as
mmpretrain's ``ColorJitter`` passes it), so the MoCo v2 pipeline of the LGD
configs (``hue=0.1``) fails on about half of the jittered images.

The fix belongs to mmcv, and ``tools/install.sh`` builds mmcv with it
(``np.float64(hue_factor)``, which wraps as numpy 1 did; see its
``MMCV_PATCH``). ``import mmlgd`` patches nothing: it only runs
:func:`warn_if_hue_bug`, which logs one warning naming that fix when the
installed mmcv (e.g. from another source) still has the bug.
"""
import logging

import numpy as np

#: The warning logged once when the installed mmcv still has the bug.
HUE_BUG_MESSAGE = (
    'The installed mmcv crashes in adjust_hue on a negative hue factor under '
    'numpy >= 2 (OverflowError in np.uint8; the LGD pipelines\' '
    'ColorJitter(hue=0.1) hits it on about half of the images). Install the '
    'mmcv that tools/install.sh builds (it carries the fix), or use '
    'numpy < 2. mmlgd does not patch mmcv.')


def has_hue_bug() -> bool:
    """Whether the installed ``mmcv.adjust_hue`` raises ``OverflowError``
    on a negative Python-float hue factor (one 1x1 image, both backends'
    shared code path via cv2).

    Returns:
        bool: True when the bug is present (only possible under numpy >= 2).
    """
    from mmcv.image.photometric import adjust_hue
    try:
        adjust_hue(np.zeros((1, 1, 3), np.uint8), -0.1, backend='cv2')
    except OverflowError:
        return True
    return False


def warn_if_hue_bug() -> bool:
    """Log :data:`HUE_BUG_MESSAGE` once (mmengine's current logger, level
    WARNING) when :func:`has_hue_bug`; change nothing.

    Returns:
        bool: whether the warning was logged.
    """
    if not has_hue_bug():
        return False
    from mmengine.logging import print_log
    print_log(HUE_BUG_MESSAGE, logger='current', level=logging.WARNING)
    return True
