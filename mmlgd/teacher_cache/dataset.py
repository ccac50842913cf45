"""The one reader of a teacher cache on the training side: replays each view
and attaches its stored ``z_T`` to the sample (FKD, Shen & Xing, ECCV 2022,
Sec. 3)."""
import os.path as osp
from typing import Optional, Tuple, Union

import numpy as np
import torch
from mmpretrain.registry import DATASETS

from .key import changed_images, check_key, dataset_identity, key_id, plain
from .replay import replay_view
from .store import FINGERPRINTS, TeacherCacheStore


def check_dataset(store: TeacherCacheStore, dataset, pipeline,
                  num_views: Optional[int] = None,
                  seed: Optional[int] = None) -> None:
    """Refuse a cache built from another pipeline, image list, image content,
    N or seed. Image files are fingerprinted the way the cache was built
    (size + first / last 64 KiB by default); the changed files are named.

    Raises:
        ValueError: names the differing parts (and the first changed files).
    """
    key = store.key
    want = dataset_identity(dataset, key['dataset'].get('content', 'ends'))
    expected = {'pipeline': plain(list(pipeline)), 'dataset': want}
    expected.update({k: v for k, v in dict(
        num_views=num_views, seed=seed).items() if v is not None})
    hint = ''
    stored = key['dataset']
    if (want['files_sha256'] == stored['files_sha256']
            and want['content_sha256'] != stored.get('content_sha256')
            and osp.isfile(osp.join(store.cache_dir, FINGERPRINTS))):
        changed = changed_images(dataset, store.fingerprints(),
                                 want['content'])
        hint = (f' (image files changed since the build, e.g. {changed}; '
                'a cache stores z_T of the images as they were)')
    check_key(key, expected, store.cache_dir, hint)


@DATASETS.register_module()
class CachedViewDataset:
    """Serves view ``j`` of image ``i`` as the teacher cache was built from
    it, with its stored teacher embedding: the data sample's metainfo gets
    ``z_t`` ((D,) fp16 tensor), ``cache_teacher`` (the id of the teacher the
    cache holds, checked by :class:`CachedTeacher`), ``cache_index`` and
    ``cache_view``.

    The view is replayed from its stored augmentation parameters (and its
    seed, for what cannot be stored; :mod:`mmlgd.teacher_cache.replay`).
    Indexed by ``(image, view)`` pairs, which :class:`CachedViewSampler`
    yields.

    Args:
        dataset (dict): the training dataset config (with its pipeline).
        cache_dir (str): the teacher cache built from it (the only place
            the cache folder is configured).
        num_views (int, optional), seed (int, optional): when given, the
            cache must have been built with these.

    Raises:
        FileNotFoundError: no complete cache at ``cache_dir``.
        ValueError: the cache is of another format, or was built from another
            pipeline, file list or image content, or another N / seed
            (named).
    """

    def __init__(self, dataset: dict, cache_dir: str,
                 num_views: Optional[int] = None,
                 seed: Optional[int] = None):
        if not isinstance(dataset, dict):
            raise TypeError('CachedViewDataset needs the dataset config '
                            '(dict), to check its pipeline against the cache.')
        self.dataset = DATASETS.build(dataset)
        self.cache_dir = cache_dir
        self.store = TeacherCacheStore(cache_dir)
        check_dataset(self.store, self.dataset, dataset['pipeline'],
                      num_views, seed)
        key = self.store.key
        self.num_views, self.seed = key['num_views'], key['seed']
        self.teacher_id = key_id(key['teacher'])

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
        out = replay_view(self.dataset, index, view, self.seed,
                          params=self.store.params(index, view))
        z = torch.from_numpy(np.array(self.store.lookup([index], [view])[0]))
        out['data_samples'].set_metainfo(dict(
            cache_index=index, cache_view=view, z_t=z,
            cache_teacher=self.teacher_id))
        return out
