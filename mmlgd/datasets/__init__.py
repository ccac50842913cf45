"""Datasets mmlgd adds to the OpenMMLab libraries (importing registers them)."""
from .fmnist_scenes import FashionMNISTScenesSegDataset

__all__ = ['FashionMNISTScenesSegDataset']
