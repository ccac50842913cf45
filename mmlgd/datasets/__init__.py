"""Datasets mmlgd adds to OpenMMLab (importing this registers them)."""
from .bag_of_instances import BagOfInstancesDataset
from .cached_view_sampler import CachedViewSampler
from .fmnist_scenes import FashionMNISTScenesSegDataset
from .transforms import StrictLoadImageFromFile
from .view_replay import CachedViewDataset

__all__ = ['BagOfInstancesDataset', 'FashionMNISTScenesSegDataset',
           'StrictLoadImageFromFile', 'CachedViewDataset',
           'CachedViewSampler']
