"""Datasets mmlgd adds to OpenMMLab (importing this registers them).

The Fashion-MNIST scenes segmentation dataset registers into mmseg, whose
``mmseg.datasets`` imports mmcv's compiled ops: it is registered only where
they exist (full ``mmcv``). With ``mmcv-lite`` (no ops, e.g. the GPU check of
``tools/analysis_tools/gpu_check.sh``) LGD pre-training, zero-shot and
export work and segmentation, which needs the ops anyway, is unavailable.
"""
from importlib.util import find_spec

from .bag_of_instances import BagOfInstancesDataset
from .cached_view_sampler import CachedViewSampler
from .transforms import StrictLoadImageFromFile
from .view_replay import CachedViewDataset

__all__ = ['BagOfInstancesDataset', 'StrictLoadImageFromFile',
           'CachedViewDataset', 'CachedViewSampler']

if find_spec('mmcv._ext') is not None:  # mmcv with its compiled ops
    from .fmnist_scenes import FashionMNISTScenesSegDataset  # noqa: F401
    __all__.append('FashionMNISTScenesSegDataset')
