"""Seeded, replayable augmented views and the dataset that serves them for
training from a teacher cache (FKD, Shen & Xing, ECCV 2022, Sec. 3)."""
import contextlib
import random
from typing import Iterator, Optional, Tuple, Union

import numpy as np
import torch
from mmpretrain.registry import DATASETS

from ..utils.teacher_cache import (
    MANIFEST,
    check_key,
    dataset_identity,
    key_id,
    plain,
    read_json,
)


def view_seed(index: int, view: int, seed: int) -> int:
    """The RNG seed of view ``view`` of image ``index`` in a run seeded
    ``seed``: a 32-bit word of ``numpy.random.SeedSequence([seed, index,
    view])`` (well mixed, independent of the worker or rank)."""
    return int(np.random.SeedSequence(
        [int(seed), int(index), int(view)]).generate_state(1)[0])


@contextlib.contextmanager
def seeded_rngs(seed: int) -> Iterator[None]:
    """Seed every RNG that mmcv / mmpretrain transforms draw from (Python
    ``random``, NumPy's global ``np.random``, torch's CPU generator) for the
    ``with`` block, then restore their previous states, so the rest of the
    process (other samples, dropout...) is unaffected. CUDA generators are
    not touched (transforms run on CPU)."""
    states = (random.getstate(), np.random.get_state(),
              torch.random.get_rng_state())
    random.seed(seed)
    np.random.seed(seed)
    torch.random.default_generator.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.random.set_rng_state(states[2])


def replay_view(dataset, index: int, view: int, seed: int) -> dict:
    """Run ``dataset``'s own pipeline on image ``index`` with the RNGs seeded
    by :func:`view_seed`: the same (index, view, seed) gives a bit-identical
    result, in the cache builder and in training alike.

    Raises:
        RuntimeError: the pipeline dropped the image (returned None).
    """
    with seeded_rngs(view_seed(index, view, seed)):
        out = dataset.prepare_data(index)
    if out is None:
        raise RuntimeError(
            f'The pipeline returned None for image {index} '
            f'({dataset.get_data_info(index).get("img_path")}): a teacher '
            'cache needs every image readable; fix or remove it.')
    return out


@DATASETS.register_module()
class CachedViewDataset:
    """Serves view ``j`` of image ``i`` exactly as the teacher cache was built
    from it, tagged with ``cache_index`` / ``cache_view`` in the data
    sample's metainfo for :class:`CachedTeacher` (and ``cache_id``, the
    cache's :func:`key_id`, so the teacher refuses samples replayed for
    another cache).

    Indexed by ``(image, view)`` pairs, which :class:`CachedViewSampler`
    yields (it draws the view with its own seeded RNG each epoch).

    Args:
        dataset (dict): the training dataset config (with its pipeline).
        cache_dir (str): the teacher cache built from it.
        num_views (int, optional), seed (int, optional): when given, the
            cache must have been built with these.

    Raises:
        FileNotFoundError: no complete cache at ``cache_dir``.
        ValueError: the cache was built from another pipeline or file
            list, or another N / seed than asked (named).
    """

    def __init__(self, dataset: dict, cache_dir: str,
                 num_views: Optional[int] = None,
                 seed: Optional[int] = None):
        if not isinstance(dataset, dict):
            raise TypeError('CachedViewDataset needs the dataset config '
                            '(dict), to check its pipeline against the cache.')
        self.dataset = DATASETS.build(dataset)
        self.cache_dir = cache_dir
        key = read_json(f'{cache_dir}/{MANIFEST}',
                        'not a complete teacher cache.')['key']
        expected = {'pipeline': plain(list(dataset['pipeline'])),
                    'dataset': dataset_identity(self.dataset)}
        expected.update({k: v for k, v in dict(
            num_views=num_views, seed=seed).items() if v is not None})
        check_key(key, expected, cache_dir)
        self.num_views, self.seed = key['num_views'], key['seed']
        self.cache_id = key_id(key)

    @property
    def metainfo(self) -> dict:
        return self.dataset.metainfo

    def full_init(self) -> None:
        self.dataset.full_init()

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, item: Union[Tuple[int, int], int]) -> dict:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(
                f'CachedViewDataset is indexed by (image, view) pairs, got '
                f'{item!r}: use sampler=dict(type="CachedViewSampler").')
        index, view = int(item[0]), int(item[1])
        if not 0 <= view < self.num_views:
            raise IndexError(f'view {view} not in the cache\'s '
                             f'{self.num_views} views')
        out = replay_view(self.dataset, index, view, self.seed)
        out['data_samples'].set_metainfo(
            dict(cache_index=index, cache_view=view, cache_id=self.cache_id))
        return out
