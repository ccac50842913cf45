"""The student projector shared by LGD and the distillation baselines."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import nn


@MODELS.register_module()
class StudentProjector(BaseModule):
    """Student embedding head ``z_S = normalize(g(GAP(f_S(x))))`` with
    ``g = Linear(c, h) - ReLU - Linear(h, D)``.

    This is LGD's projector (paper Sec. 3.3) and SEED's MLP head (SEED
    reference ``seed/builder.py``: ``fc`` replaced by Linear-ReLU-Linear
    with ``h = c``); :class:`LGKANeck` extends it with the VSB.

    Args:
        in_channels (int): student output channels ``c``.
        out_channels (int): embedding dim ``D`` (the teacher's).
        hid_channels (int, optional): hidden width ``h`` (default ``c``).
        init_cfg (dict, optional): mmengine init config.

    Raises:
        ValueError: non-positive sizes.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 hid_channels: Optional[int] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        hid_channels = hid_channels or in_channels
        if min(in_channels, out_channels, hid_channels) <= 0:
            raise ValueError(
                f'{type(self).__name__} sizes must be positive, got '
                f'in={in_channels} hid={hid_channels} out={out_channels}.')
        self.out_channels = out_channels
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.projector = nn.Sequential(
            nn.Linear(in_channels, hid_channels), nn.ReLU(inplace=True),
            nn.Linear(hid_channels, out_channels))

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        """Student features -> (B, D) unit-norm embeddings ``z_S``.

        Args:
            inputs (tuple[Tensor]): backbone outputs; the last one is used,
                (B, c, H, W) or already pooled (B, c).
        """
        x = inputs[-1] if isinstance(inputs, (tuple, list)) else inputs
        if x.dim() == 4:
            x = self.avgpool(x).flatten(1)
        return F.normalize(self.projector(x), dim=1)
