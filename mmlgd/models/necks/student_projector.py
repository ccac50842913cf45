"""The student projector shared by LGD and the distillation baselines."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import nn


@MODELS.register_module()
class StudentProjector(BaseModule):
    """Student embedding head ``z_S = normalize(g(p(GAP(f_S(x)))))`` with
    ``g = Linear(c', h) - ReLU - Linear(h, D)`` and ``p`` the student's
    pre-projector layers (identity by default).

    The authors' LGD students keep their classifier's layers before the
    projector (github.com/mZhenz/LGD, ``clipdistiller/architectures``):
    ``Dropout(0.2)`` for MobileNetV2 and EfficientNet-B0,
    ``Linear(960, 1280) - h-swish - Dropout(0.2)`` for MobileNetV3-Large;
    ``c'`` is then 1280 (``c`` otherwise).

    This is LGD's projector (paper Sec. 3.3) and SEED's MLP head (SEED
    reference ``seed/builder.py``: ``fc`` replaced by Linear-ReLU-Linear
    with ``h = c``); :class:`LGKANeck` extends it with the VSB.

    Args:
        in_channels (int): student output channels ``c``.
        out_channels (int): embedding dim ``D`` (the teacher's).
        hid_channels (int, optional): hidden width ``h`` (default ``c'``).
        pre_channels (int, optional): if set, ``p`` starts with
            ``Linear(c, pre_channels)`` (weights N(0, 0.01), bias 0, as the
            authors' MobileNetV3 classifier) and ``pre_act_cfg``, and
            ``c' = pre_channels``.
        pre_act_cfg (dict, optional): activation after that Linear (mmcv
            config), default ``dict(type='HSwish')``.
        dropout (float): drop probability of a ``Dropout`` before the
            projector (after the pre-projector Linear), in [0, 1); 0 adds
            none.
        init_cfg (dict, optional): mmengine init config.

    Raises:
        ValueError: non-positive sizes; dropout outside [0, 1).
    """

    def __init__(self, in_channels: int, out_channels: int,
                 hid_channels: Optional[int] = None,
                 pre_channels: Optional[int] = None,
                 pre_act_cfg: Optional[dict] = None, dropout: float = 0.0,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if min(in_channels, pre_channels or 1) <= 0:
            raise ValueError(
                f'{type(self).__name__} sizes must be positive, got '
                f'in={in_channels} pre={pre_channels}.')
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f'{type(self).__name__} dropout must be in '
                             f'[0, 1), got {dropout}.')
        self.pre_projector = _pre_projector(in_channels, pre_channels,
                                            pre_act_cfg, dropout)
        in_channels = pre_channels or in_channels
        hid_channels = hid_channels or in_channels
        if min(out_channels, hid_channels) <= 0:
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
        return F.normalize(self.projector(self.pre_projector(x)), dim=1)


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
