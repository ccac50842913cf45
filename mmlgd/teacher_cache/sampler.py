"""The sampler of a run trained from a teacher cache: one of the N stored
views per image per epoch."""
from typing import Iterator, Tuple

import numpy as np
from mmengine.dataset import DefaultSampler
from mmpretrain.registry import DATA_SAMPLERS

VIEW_STREAM = 0x5EED  # separates the view draw from the shuffle stream


@DATA_SAMPLERS.register_module()
class CachedViewSampler(DefaultSampler):
    """mmengine's ``DefaultSampler`` (same shuffling, rank sharding and
    resumption) yielding ``(image, view)`` pairs for
    :class:`CachedViewDataset`.

    Each epoch draws one view per image, uniform over the cache's N views,
    from ``numpy.random.default_rng([seed, epoch, VIEW_STREAM])``: the same on
    every rank (the seed is shared like the shuffle's), so the pair an image
    gets does not depend on the world size.

    Args:
        dataset (CachedViewDataset): the dataset; ``num_views`` is read
            from it.
        shuffle, seed, round_up: as in ``DefaultSampler``.
    """

    def __iter__(self) -> Iterator[Tuple[int, int]]:
        num_views = getattr(self.dataset, 'num_views', None)
        if num_views is None:
            raise TypeError('CachedViewSampler needs a CachedViewDataset '
                            f'(got {type(self.dataset).__name__}).')
        views = np.random.default_rng(
            [self.seed, self.epoch, VIEW_STREAM]).integers(
                0, num_views, len(self.dataset))
        for index in super().__iter__():
            yield int(index), int(views[index])
