"""Data transforms mmlgd adds (importing registers them)."""
from .loading import StrictLoadImageFromFile
from .mmcv_numpy2 import warn_if_hue_bug

warn_if_hue_bug()

__all__ = ['StrictLoadImageFromFile']
