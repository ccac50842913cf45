"""The teacher of a run trained from a teacher cache: it returns the ``z_T``
the dataset attached to each sample."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from .key import check_key, key_id, teacher_identity
from .store import read_manifest


@MODELS.register_module()
class CachedTeacher(BaseModule):
    """Stands in for a frozen teacher: ``forward`` returns the ``z_T`` that
    :class:`CachedViewDataset` attached to each sample (FKD-style, Shen &
    Xing, ECCV 2022). The teacher's weights are never loaded: only their
    sha256 is compared with the teacher the cache holds (each sample carries
    that teacher's id).

    Args:
        teacher (dict): the config of the teacher the cache must hold
            (the training config's original ``target_generator``).
        data_preprocessor (dict, optional): the LGD data preprocessor config
            the cache must have been built with.
        cache_dir (str, optional): not needed (the dataset reads the cache);
            when given, the teacher is checked against that cache's
            manifest at construction instead of at the first step, and
            ``embed_dim`` is known before training (LGD then checks it
            against the TSB).

    ``forward(x, data_samples)``: (B, 3, H, W), B data samples -> (B, D)
    float32 unit rows on ``x``'s device (the stored fp16 values,
    renormalised). ``reads_data_samples`` tells :class:`LGD` to pass the
    data samples.

    Raises:
        ValueError: (at construction, with ``cache_dir``; else in
            ``forward``) the cache holds another teacher / preprocessor; in
            ``forward``: samples without ``z_t`` (not from a
            :class:`CachedViewDataset`).
    """

    reads_data_samples = True

    def __init__(self, teacher: dict, data_preprocessor: Optional[dict] = None,
                 cache_dir: Optional[str] = None):
        super().__init__()
        identity = teacher_identity(teacher, data_preprocessor)
        self.teacher_id = key_id(identity)
        self.embed_dim = None
        if cache_dir is not None:
            manifest = read_manifest(cache_dir)
            check_key(manifest['key'], {'teacher': identity}, cache_dir)
            self.embed_dim = int(manifest['dim'])

    def train(self, mode: bool = True):
        """Nothing to train: always in eval mode."""
        return super().train(False)

    def init_weights(self):
        """No weights."""

    @torch.no_grad()
    def forward(self, x: torch.Tensor,
                data_samples: Optional[Sequence] = None) -> torch.Tensor:
        if data_samples is None or not all('z_t' in s for s in data_samples):
            raise ValueError(
                'CachedTeacher needs data samples carrying z_t: train with '
                'dataset CachedViewDataset and sampler CachedViewSampler '
                '(mmlgd.teacher_cache.cached_config does both).')
        other = {s.cache_teacher for s in data_samples} - {self.teacher_id}
        if other:
            raise ValueError(
                'The teacher cache the dataset reads was built for another '
                f'teacher (id {sorted(other)}, this config\'s teacher is '
                f'{self.teacher_id}): rebuild the cache with '
                'tools/cache_teacher.py for this config, or point the '
                'dataset at the cache built for it.')
        z = torch.stack([s.z_t for s in data_samples])
        return F.normalize(z.to(device=x.device, dtype=torch.float32), dim=1)
