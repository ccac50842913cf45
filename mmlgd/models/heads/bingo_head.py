"""BINGO head: instance and bag-of-instances contrastive distillation."""
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class BINGOHead(BaseModule):
    """BINGO loss (Xu et al., "Bag of Instances Aggregation Boosts
    Self-supervised Distillation", ICLR 2022, arXiv:2107.01691, Sec. 3;
    reference github.com/haohang96/bingo ``moco/builder.py`` lines 130-206,
    ``main_moco.py`` lines 106-126 and 355-387).

    With unit embeddings, per sample ``i`` of the batch (B rows each):

    * students ``q`` (the image), ``p`` (one neighbour from its bag), ``m``
      (the CutMix of image and neighbour), each (B, D);
    * teachers ``k`` (the image), ``k'`` (the neighbour), each (B, D);
    * the queue ``Q`` (K, D) of teacher embeddings of earlier images;
    * ``CE(x, y)_i = -log softmax([<x_i, y_i>, x_i Q^T] / T)_0``, the
      InfoNCE of student ``x`` with positive ``y`` and the queue as
      negatives (temperature ``T``);
    * with the bag weight ``w`` (0 before the bag term switches on, 0.5
      after: :class:`BINGO`) and ``r_i`` the share of sample ``i``'s mixed
      image that is the image (1 - the box area / the image area):

    ``loss = mean_i [ (1-w) CE(q,k) + w CE(q,k') + (1-w) CE(p,k') + w CE(p,k)
    + r CE(m,k) + (1-r) CE(m,k') ]_i / 3``.

    The reference draws one CutMix ratio per batch; here ``r`` is per sample
    (:class:`BagOfInstancesDataset` draws the boxes), which the formula
    covers unchanged.

    Args:
        temperature (float): ``T`` (reference ``--moco_t`` 0.2,
            ``scripts/unsupervised/SR18-TR50.sh`` line 9).
        init_cfg (dict, optional): mmengine init config.

    Raises:
        ValueError: ``temperature`` <= 0.
    """

    def __init__(self, temperature: float = 0.2,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if temperature <= 0:
            raise ValueError(f'BINGOHead temperature must be > 0, got '
                             f'{temperature}: use the reference 0.2.')
        self.temperature = temperature

    def info_nce(self, x: torch.Tensor, pos: torch.Tensor,
                 queue: torch.Tensor) -> torch.Tensor:
        """Per-sample InfoNCE ``CE(x, pos)``.

        Args:
            x (Tensor): (B, D) unit student embeddings.
            pos (Tensor): (B, D) unit teacher embeddings, the positives.
            queue (Tensor): (K, D) negatives.

        Returns:
            Tensor: (B,) float32 losses.
        """
        x = x.float()
        logits = torch.cat([(x * pos.float()).sum(1, keepdim=True),
                            x @ queue.float().T], dim=1) / self.temperature
        return -F.log_softmax(logits, dim=1)[:, 0]

    def loss(self, q: torch.Tensor, p: torch.Tensor, m: torch.Tensor,
             k: torch.Tensor, k_bag: torch.Tensor, queue: torch.Tensor,
             mix_ratio: torch.Tensor,
             bag_weight: float) -> Dict[str, torch.Tensor]:
        """BINGO loss for one batch.

        Args:
            q (Tensor): (B, D) student embeddings of the images.
            p (Tensor): (B, D) student embeddings of their neighbours.
            m (Tensor): (B, D) student embeddings of the mixed images.
            k (Tensor): (B, D) teacher embeddings of the images.
            k_bag (Tensor): (B, D) teacher embeddings of the neighbours.
            queue (Tensor): (K, D) the queue before this step's enqueue.
            mix_ratio (Tensor): (B,) ``r``, in [0, 1].
            bag_weight (float): ``w``, in [0, 1].

        Returns:
            dict: ``loss_bingo`` (the loss), ``bag_nce`` (the cross terms
            ``mean(CE(q,k') + CE(p,k)) / 2``, logged whatever ``w`` is; no
            ``loss`` in its name, so it is not added to the loss),
            ``bag_weight`` (``w``) and ``agree_pos`` (fraction of images
            whose student ranks ``k`` above the whole queue).

        Raises:
            ValueError: ``bag_weight`` outside [0, 1].
        """
        if not 0 <= bag_weight <= 1:
            raise ValueError(f'BINGO bag weight must be in [0, 1], got '
                             f'{bag_weight}.')
        w, r = float(bag_weight), mix_ratio.float()
        qk, qb = self.info_nce(q, k, queue), self.info_nce(q, k_bag, queue)
        pb, pk = self.info_nce(p, k_bag, queue), self.info_nce(p, k, queue)
        mk, mb = self.info_nce(m, k, queue), self.info_nce(m, k_bag, queue)
        total = ((1 - w) * (qk + pb) + w * (qb + pk) + r * mk +
                 (1 - r) * mb).mean() / 3
        with torch.no_grad():
            agree = ((q.float() * k.float()).sum(1) >
                     (q.float() @ queue.float().T).max(1).values).float()
        return dict(loss_bingo=total,
                    bag_nce=((qb + pk) / 2).mean().detach(),
                    bag_weight=torch.tensor(w, device=q.device),
                    agree_pos=agree.mean())
