"""A teacher that reads ``z_T`` from a teacher-embedding cache."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from ...utils.teacher_cache import (
    TeacherCacheStore,
    check_key,
    key_id,
    teacher_identity,
)


@MODELS.register_module()
class CachedTeacher(BaseModule):
    """Stands in for a frozen teacher by looking up the embedding of the
    (image, view) each sample carries (``cache_index`` / ``cache_view`` in
    its metainfo, set by :class:`CachedViewDataset`) in a cache built by
    ``tools/cache_teacher.py`` (FKD-style, Shen & Xing, ECCV 2022). The
    teacher's weights are never loaded: only their sha256 is checked.

    Args:
        cache_dir (str): the cache folder.
        teacher (dict): the config of the teacher the cache must hold
            (the training config's original ``target_generator``).
        data_preprocessor (dict, optional): the LGD data preprocessor config
            the cache must have been built with.

    ``forward(x, data_samples)``: (B, 3, H, W), B data samples -> (B, D)
    float32 unit rows on ``x``'s device (the stored fp16 values, renormalised).
    ``embed_dim`` is D. ``reads_data_samples`` tells :class:`LGD` to pass
    the data samples.

    Raises:
        FileNotFoundError: incomplete cache or missing shard (named).
        ValueError: the cache holds another teacher / preprocessor, or a
            shard is truncated (named); in ``forward``: samples untagged or
            replayed for another cache.
    """

    reads_data_samples = True

    def __init__(self, cache_dir: str, teacher: dict,
                 data_preprocessor: Optional[dict] = None):
        super().__init__()
        self.store = TeacherCacheStore(cache_dir)
        check_key(self.store.key,
                  {'teacher': teacher_identity(teacher, data_preprocessor)},
                  cache_dir)
        self.embed_dim = int(self.store.dim)
        self.cache_id = key_id(self.store.key)

    def train(self, mode: bool = True):
        """Nothing to train: always in eval mode."""
        return super().train(False)

    def init_weights(self):
        """No weights."""

    @torch.no_grad()
    def forward(self, x: torch.Tensor,
                data_samples: Optional[Sequence] = None) -> torch.Tensor:
        if data_samples is None or not all(
                'cache_view' in s for s in data_samples):
            raise ValueError(
                'CachedTeacher needs data samples tagged with cache_index / '
                'cache_view: train with dataset CachedViewDataset and '
                'sampler CachedViewSampler (mmlgd.apis.teacher_cache.'
                'cached_config does both).')
        other = {s.cache_id for s in data_samples} - {self.cache_id}
        if other:
            raise ValueError(
                f'Samples were replayed for another teacher cache (id '
                f'{sorted(other)}) than this teacher reads '
                f'({self.store.cache_dir}, id {self.cache_id}): give the '
                'dataset and the teacher the same cache_dir.')
        z = self.store.lookup([s.cache_index for s in data_samples],
                              [s.cache_view for s in data_samples])
        z = torch.from_numpy(z).to(device=x.device, dtype=torch.float32)
        return F.normalize(z, dim=1)
