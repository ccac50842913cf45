"""Datasets mmlgd adds to OpenMMLab (importing this registers them)."""
from .cached_view_sampler import CachedViewSampler
from .fmnist_scenes import FashionMNISTScenesSegDataset
from .transforms import StrictLoadImageFromFile
from .view_replay import CachedViewDataset

__all__ = ['FashionMNISTScenesSegDataset', 'StrictLoadImageFromFile',
           'CachedViewDataset', 'CachedViewSampler']
