"""Language-Guided Knowledge Aggregation (LGKA) neck: student projection and
the Visual Semantics Bank (VSB)."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.dist import all_reduce
from mmpretrain.registry import MODELS

from .student_projector import StudentProjector


@MODELS.register_module()
class LGKANeck(StudentProjector):
    """Student projector ``g`` and the VSB ``V`` of LGD (paper Sec. 3.3).

    ``forward`` (from :class:`StudentProjector`) maps the student's last
    feature map to ``z_S = normalize(g(p(GAP(f_S(x)))))`` with
    ``g = Linear(c', h) - ReLU - Linear(h, D)`` and ``p`` the optional
    pre-projector of the authors' MobileNet / EfficientNet students
    (``pre_channels``, ``pre_act_cfg``, ``dropout``; see
    :class:`StudentProjector`).

    ``update_vsb`` implements LGKA: teacher embeddings are pseudo-labelled by
    the TSB (``y_i = argmax_k <z_T,i, L_k>``); per category ``k`` present in
    the (global) batch, with batch mean ``m_k``:
    ``V_k <- m_k`` on its first write, else
    ``V_k <- mu * V_k + (1 - mu) * m_k``; absent categories are unchanged.
    It is one vectorised scatter (``index_add_``) per step, no Python loop
    over categories and no host-device sync. In distributed runs the
    per-category sums and counts are all-reduced first, so every rank applies
    the identical update (equal to one process fed the concatenated batch).

    Args:
        in_channels (int): student output channels ``c``.
        out_channels (int): embedding dim ``D`` (must equal the TSB's).
        num_classes (int): number of categories ``K`` (TSB rows).
        hid_channels (int, optional): hidden width ``h`` (default ``c``).
        momentum (float): ``mu`` in [0, 1). Paper: 0.999 on ImageNet; the
            authors' script default is 0.99.
        pre_channels (int, optional), pre_act_cfg (dict, optional),
            dropout (float): the student's pre-projector layers
            (:class:`StudentProjector`).
        init_cfg (dict, optional): mmengine init config.

    Buffers (saved in checkpoints): ``vsb`` (K, D) float32, random unit rows
    before their first write; ``vsb_initialized`` (K,) bool.

    Raises:
        ValueError: non-positive sizes, momentum or dropout outside
            [0, 1).
    """

    def __init__(self, in_channels: int, out_channels: int, num_classes: int,
                 hid_channels: Optional[int] = None, momentum: float = 0.99,
                 pre_channels: Optional[int] = None,
                 pre_act_cfg: Optional[dict] = None, dropout: float = 0.0,
                 init_cfg: Optional[dict] = None):
        if min(in_channels, out_channels, num_classes) <= 0:
            raise ValueError('LGKANeck sizes must be positive, got '
                             f'in={in_channels} out={out_channels} '
                             f'K={num_classes}.')
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f'LGKANeck momentum must be in [0, 1), got '
                             f'{momentum}.')
        super().__init__(in_channels, out_channels, hid_channels,
                         pre_channels=pre_channels, pre_act_cfg=pre_act_cfg,
                         dropout=dropout, init_cfg=init_cfg)
        self.momentum = momentum
        self.num_classes = num_classes
        self.register_buffer(
            'vsb', F.normalize(torch.randn(num_classes, out_channels), dim=1))
        self.register_buffer('vsb_initialized',
                             torch.zeros(num_classes, dtype=torch.bool))

    @torch.no_grad()
    def pseudo_labels(self, z_t: torch.Tensor,
                      tsb: torch.Tensor) -> torch.Tensor:
        """(B, D) teacher embeddings, (K, D) TSB -> (B,) int64 labels."""
        return (z_t @ tsb.to(z_t.dtype).T).argmax(dim=1)

    @torch.no_grad()
    def aggregate(self, z_t: torch.Tensor,
                  labels: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Per-category sums (K, D) and counts (K,) in float32, all-reduced
        over ranks when distributed (``mmengine.dist.all_reduce``, a no-op
        in a single process)."""
        stats = z_t.new_zeros(self.num_classes, self.out_channels + 1,
                              dtype=torch.float32)
        ones = z_t.new_ones(z_t.shape[0], 1, dtype=torch.float32)
        stats.index_add_(0, labels, torch.cat([z_t.float(), ones], dim=1))
        all_reduce(stats)
        return stats[:, :-1], stats[:, -1]

    @torch.no_grad()
    def update_vsb(self, z_t: torch.Tensor,
                   tsb: torch.Tensor) -> torch.Tensor:
        """One LGKA step (see class docstring). Returns the (B,) labels."""
        labels = self.pseudo_labels(z_t, tsb)
        sums, counts = self.aggregate(z_t, labels)
        present = counts > 0
        init = self.vsb_initialized
        mu = self.momentum
        # V_k <- keep_k * V_k + take_k * sums_k, i.e. mu * V_k + (1 - mu) *
        # m_k (initialised), m_k (first write) or V_k (absent). Per-row
        # (K,) coefficients keep the (K, D) work to one copy and two
        # in-place passes (measured in mmlgd/benchmark/lgka.py).
        keep = torch.where(present, torch.where(init, mu, 0.0), 1.0)
        take = torch.where(present, torch.where(init, 1.0 - mu, 1.0),
                           0.0) / counts.clamp(min=1)
        # Rebind a copy rather than write in place: the loss graph of this
        # step holds the pre-update bank for its backward pass.
        vsb = self.vsb.clone()
        vsb.mul_(keep.unsqueeze(1)).addcmul_(sums, take.unsqueeze(1))
        self.vsb = vsb
        self.vsb_initialized.logical_or_(present)
        return labels
