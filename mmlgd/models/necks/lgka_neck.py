"""Language-Guided Knowledge Aggregation (LGKA) neck: student projection and
the Visual Semantics Bank (VSB)."""
from typing import Optional, Sequence, Tuple

import torch
import torch.distributed as torch_dist
import torch.nn.functional as F
from mmengine.dist import get_world_size, is_distributed
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import nn


@MODELS.register_module()
class LGKANeck(BaseModule):
    """Student projector ``g`` and the VSB ``V`` of LGD (paper Sec. 3.3).

    ``forward`` maps the student's last feature map to
    ``z_S = normalize(g(p(GAP(f_S(x)))))`` with
    ``g = Linear(c', h) - ReLU - Linear(h, D)`` and ``p`` the student's
    pre-projector layers (identity by default). The authors' students keep
    their classifier's layers before the projector (github.com/mZhenz/LGD,
    ``clipdistiller/architectures``): ``Dropout(0.2)`` for MobileNetV2 and
    EfficientNet-B0, ``Linear(960, 1280) - h-swish - Dropout(0.2)`` for
    MobileNetV3-Large; ``c'`` is then 1280.

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
        pre_channels (int, optional): if set, ``p`` starts with
            ``Linear(c, pre_channels)`` (weights N(0, 0.01), bias 0, as the
            authors' MobileNetV3 classifier) and ``pre_act_cfg``; the
            projector then takes ``pre_channels`` inputs.
        pre_act_cfg (dict): activation after that Linear (mmcv config),
            default ``dict(type='HSwish')``.
        dropout (float): drop probability of a ``Dropout`` before the
            projector (after the pre-projector Linear), in [0, 1); 0 adds
            none.
        init_cfg (dict, optional): mmengine init config.

    Buffers (saved in checkpoints): ``vsb`` (K, D) float32, random unit rows
    before their first write; ``vsb_initialized`` (K,) bool.

    Raises:
        ValueError: non-positive sizes, momentum or dropout outside [0, 1).
    """

    def __init__(self, in_channels: int, out_channels: int, num_classes: int,
                 hid_channels: Optional[int] = None, momentum: float = 0.99,
                 pre_channels: Optional[int] = None,
                 pre_act_cfg: Optional[dict] = None, dropout: float = 0.0,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if min(in_channels, out_channels, num_classes,
               pre_channels or 1) <= 0:
            raise ValueError('LGKANeck sizes must be positive, got '
                             f'in={in_channels} out={out_channels} '
                             f'K={num_classes} pre={pre_channels}.')
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f'LGKANeck momentum must be in [0, 1), got '
                             f'{momentum}.')
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f'LGKANeck dropout must be in [0, 1), got '
                             f'{dropout}.')
        self.momentum = momentum
        self.num_classes = num_classes
        self.out_channels = out_channels
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.pre_projector = _pre_projector(in_channels, pre_channels,
                                            pre_act_cfg, dropout)
        in_channels = pre_channels or in_channels
        hid_channels = hid_channels or in_channels
        self.projector = nn.Sequential(
            nn.Linear(in_channels, hid_channels), nn.ReLU(inplace=True),
            nn.Linear(hid_channels, out_channels))
        self.register_buffer(
            'vsb', F.normalize(torch.randn(num_classes, out_channels), dim=1))
        self.register_buffer('vsb_initialized',
                             torch.zeros(num_classes, dtype=torch.bool))

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        """Student features -> (B, D) unit-norm embeddings ``z_S``.

        Args:
            inputs (tuple[Tensor]): backbone outputs; the last one is used,
                (B, c, H, W) or already pooled (B, c).
        """
        x = inputs[-1] if isinstance(inputs, (tuple, list)) else inputs
        if x.dim() == 4:
            x = self.avgpool(x).flatten(1)
        return F.normalize(self.projector(self.pre_projector(x)), dim=1)

    @torch.no_grad()
    def pseudo_labels(self, z_t: torch.Tensor,
                      tsb: torch.Tensor) -> torch.Tensor:
        """(B, D) teacher embeddings, (K, D) TSB -> (B,) int64 labels."""
        return (z_t @ tsb.to(z_t.dtype).T).argmax(dim=1)

    @torch.no_grad()
    def aggregate(self, z_t: torch.Tensor,
                  labels: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Per-category sums (K, D) and counts (K,) in float32, all-reduced
        over ranks when distributed."""
        stats = z_t.new_zeros(self.num_classes, self.out_channels + 1,
                              dtype=torch.float32)
        ones = z_t.new_ones(z_t.shape[0], 1, dtype=torch.float32)
        stats.index_add_(0, labels, torch.cat([z_t.float(), ones], dim=1))
        if is_distributed() and get_world_size() > 1:
            torch_dist.all_reduce(stats)
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
        # in-place passes (see tools/analysis_tools/benchmark.py).
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


def _pre_projector(in_channels: int, pre_channels: Optional[int],
                   act_cfg: Optional[dict], dropout: float) -> nn.Module:
    """``[Linear(c, pre) - act] - [Dropout(p)]`` or ``Identity``."""
    from mmcv.cnn import build_activation_layer
    layers = []
    if pre_channels:
        linear = nn.Linear(in_channels, pre_channels)
        nn.init.normal_(linear.weight, 0.0, 0.01)
        nn.init.zeros_(linear.bias)
        layers += [linear, build_activation_layer(
            act_cfg or dict(type='HSwish'))]
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers) if layers else nn.Identity()
