"""Datasets mmlgd adds to the OpenMMLab libraries (importing registers them)."""
from . import transforms  # noqa: F401  registers transforms
from .fmnist_scenes import FashionMNISTScenesSegDataset
from .transforms import StrictLoadImageFromFile

__all__ = ['FashionMNISTScenesSegDataset', 'StrictLoadImageFromFile']
