"""Classifier head whose class weights are frozen TSB rows."""
import math
from typing import Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmpretrain.models.heads import ClsHead
from mmpretrain.registry import MODELS
from torch import nn


@MODELS.register_module()
class TextAlignedClsHead(ClsHead):
    """Train an image classifier *into* a text space, to serve as an LGD
    teacher when no CLIP weights are available (e.g. offline).

    ``z = normalize(W x)`` with a learnable projection ``W`` (c -> D);
    logits ``= s * z L^T`` with the frozen TSB ``L`` (K, D) as class weights
    and a learnable logit scale ``s = exp(t)`` (CLIP-style, clamped at 100).
    After training, ``embed`` gives text-aligned image embeddings, so the
    classifier zero-shot-classifies through any TSB of the same encoder.

    Args:
        in_channels (int): feature channels ``c`` (after the GAP neck).
        tsb (dict | nn.Module): TextualSemanticsBank config.
        init_logit_scale (float): initial ``s`` (default 1/0.07).
        loss (dict): classification loss (hard labels).

    Raises:
        ValueError: ``in_channels`` not positive.
    """

    def __init__(self, in_channels: int, tsb: Union[dict, nn.Module],
                 init_logit_scale: float = 1 / 0.07,
                 loss: dict = dict(type='CrossEntropyLoss', loss_weight=1.0),
                 init_cfg: Optional[dict] = None, **kwargs):
        super().__init__(loss=loss, init_cfg=init_cfg, **kwargs)
        if in_channels <= 0:
            raise ValueError(f'in_channels must be > 0, got {in_channels}.')
        self.tsb = MODELS.build(tsb) if isinstance(tsb, dict) else tsb
        self.proj = nn.Linear(in_channels, self.tsb.dim, bias=False)
        self.logit_scale = nn.Parameter(
            torch.tensor(math.log(init_logit_scale)))

    @property
    def embed_dim(self) -> int:
        return self.tsb.dim

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """(B, c) pooled features (last of the tuple) -> (B, D) unit rows."""
        return F.normalize(self.proj(feats[-1]), dim=1)

    embed = pre_logits

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """(B, K) logits ``s * z L^T``."""
        z = self.pre_logits(feats)
        return self.logit_scale.exp().clamp(max=100) * self.tsb(z)
