"""A FIFO queue of teacher embeddings (SEED's instance queue)."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.dist import all_gather
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class EmbeddingQueue(BaseModule):
    """First-in first-out queue of the ``K`` most recent teacher embeddings
    (SEED, Fang et al., ICLR 2021, Sec. 3; reference ``seed/builder.py``,
    ``_dequeue_and_enqueue``).

    The queue starts as ``K`` random unit vectors, as in the reference: until
    ``K`` embeddings have been enqueued, the rows not yet written are still
    random and take part in the similarity distributions like any other
    entry. Each :meth:`enqueue` gathers the keys of all ranks
    (``mmengine.dist.all_gather``, rank order), writes the global batch
    ``(N, D)`` at rows ``ptr .. ptr + N - 1`` and advances
    ``ptr <- (ptr + N) mod K``, so the queue is identical on every rank and
    equal to that of one process fed the concatenated batch. Like the
    reference (and MoCo), ``K`` must be a multiple of the global batch
    ``N``: a batch then never straddles the end of the queue and the oldest
    ``N`` entries are the ones replaced. The update is on-device (no
    host-device sync).

    Layout differs from the reference only in orientation: rows are
    embeddings, (K, D), where the reference stores (D, K).

    Args:
        size (int): ``K``, number of embeddings kept (reference: 65536).
        dim (int): ``D``, embedding dimension (the teacher's).
        init_cfg (dict, optional): mmengine init config.

    Buffers (saved in checkpoints, restored by ``--resume``):
    ``embeddings`` (K, D) float32; ``ptr`` () int64, next row to write.

    Raises:
        ValueError: non-positive ``size`` or ``dim``.
    """

    def __init__(self, size: int, dim: int,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if size <= 0 or dim <= 0:
            raise ValueError(f'EmbeddingQueue size and dim must be positive, '
                             f'got size={size} dim={dim}.')
        self.size = size
        self.dim = dim
        self.register_buffer(
            'embeddings', F.normalize(torch.randn(size, dim), dim=1))
        self.register_buffer('ptr', torch.zeros((), dtype=torch.long))

    def check_batch(self, global_batch: int) -> None:
        """Check that the queue holds a whole number of global batches.

        Args:
            global_batch (int): samples enqueued per step, all ranks
                together (processes x per-process batch).

        Raises:
            ValueError: ``size`` is not a positive multiple of
                ``global_batch``.
        """
        if global_batch <= 0 or self.size % global_batch:
            lower = self.size // global_batch * global_batch \
                if global_batch > 0 else 0
            raise ValueError(
                f'EmbeddingQueue size {self.size} is not a multiple of the '
                f'global batch {global_batch} (processes x batch per '
                'process), as SEED requires: set the queue size to a '
                f'multiple of {global_batch} (e.g. '
                f'{max(lower, global_batch)}) or change the batch size / '
                'number of processes.')

    @torch.no_grad()
    def enqueue(self, keys: torch.Tensor) -> torch.Tensor:
        """Gather ``keys`` over ranks and write them in FIFO order.

        Args:
            keys (Tensor): (B, D) this rank's teacher embeddings (same B on
                every rank).

        Returns:
            Tensor: the (N, D) global batch that was written
            (N = world size x B).

        Raises:
            ValueError: wrong embedding dimension, or ``size`` is not a
                multiple of N.
        """
        if keys.dim() != 2 or keys.shape[1] != self.dim:
            raise ValueError(f'EmbeddingQueue(dim={self.dim}) got keys of '
                             f'shape {tuple(keys.shape)}; expected (B, '
                             f'{self.dim}).')
        keys = torch.cat(all_gather(keys.detach().contiguous()))
        n = keys.shape[0]
        self.check_batch(n)
        rows = self.ptr + torch.arange(n, device=self.ptr.device)
        self.embeddings.index_copy_(0, rows,
                                    keys.to(self.embeddings.dtype))
        self.ptr.copy_((self.ptr + n) % self.size)
        return keys
