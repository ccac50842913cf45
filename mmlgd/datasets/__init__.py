"""Datasets mmlgd adds to OpenMMLab (importing this registers them)."""
from .fmnist_scenes import FashionMNISTScenesSegDataset
from .transforms import StrictLoadImageFromFile

__all__ = ['FashionMNISTScenesSegDataset', 'StrictLoadImageFromFile']
