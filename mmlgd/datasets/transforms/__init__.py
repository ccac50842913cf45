"""Data transforms mmlgd adds (importing registers them)."""
from . import mmcv_numpy2
from .loading import StrictLoadImageFromFile

mmcv_numpy2.install()

__all__ = ['StrictLoadImageFromFile']
