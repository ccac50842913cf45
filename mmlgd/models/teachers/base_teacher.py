"""The base of the frozen image teachers (:class:`OpenCLIPVisionTeacher`,
:class:`TextAlignedTeacher`): frozen weights, always eval mode, the input
adapter, the optional fast paths and unit-norm output."""
import contextlib
from typing import ContextManager, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from .input_adapter import InputAdapter


class FastPath:
    """Teacher fast paths measured in ``docs/benchmark.md``.

    Args:
        channels_last (bool): run the teacher in channels-last memory format
            (1.3x for CLIP RN50 at 224 px on CPU; output unchanged up to
            float rounding).
        autocast_dtype (str, optional): run the teacher forward under
            ``torch.autocast`` with this dtype, e.g. ``'bfloat16'`` (2.3x for
            RN50 on a bf16-capable CPU; changes numerics, cosine >= 0.996 to
            fp32 in the benchmark). ``None``: no own autocast (an outer AMP
            context still applies).

    Raises:
        ValueError: ``autocast_dtype`` is not a torch floating dtype name.
    """

    def __init__(self, channels_last: bool = False,
                 autocast_dtype: Optional[str] = None):
        dtype = getattr(torch, autocast_dtype, None) if autocast_dtype \
            else None
        if autocast_dtype and not (isinstance(dtype, torch.dtype)
                                   and dtype.is_floating_point):
            raise ValueError(f'autocast_dtype={autocast_dtype!r} is not a '
                             "torch float dtype; use 'bfloat16' or "
                             "'float16'.")
        self.channels_last = channels_last
        self.autocast_dtype = dtype

    def prepare(self, module: nn.Module) -> nn.Module:
        """Put ``module`` in the chosen memory format (call once)."""
        if self.channels_last:
            module.to(memory_format=torch.channels_last)
        return module

    def input(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` in the chosen memory format."""
        return x.contiguous(memory_format=torch.channels_last) \
            if self.channels_last else x

    def autocast(self, x: torch.Tensor) -> ContextManager:
        """The autocast context for a forward on ``x``'s device."""
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(x.device.type, dtype=self.autocast_dtype)


class BaseTeacher(BaseModule):
    """A frozen image teacher ``f_T``: images -> unit embeddings ``z_T``
    (LGD paper, Sec. 3.1).

    A subclass builds its network in ``__init__``, sets ``self.adapter``
    (an :class:`InputAdapter` from the pipeline's convention to its own) and
    ``self.embed_dim`` (D), calls :meth:`freeze` last, and implements
    :meth:`encode_image`.

    Args:
        channels_last (bool): channels-last fast path, see
            :class:`FastPath`.
        autocast_dtype (str, optional): autocast fast path, see
            :class:`FastPath`.

    ``forward``: (B, 3, H, W) float in the pipeline's normalisation ->
    (B, D) float32 L2-normalised rows, always in eval mode, with no autograd
    graph.

    Raises:
        ValueError: ``autocast_dtype`` is not a torch float dtype name.
    """

    adapter: InputAdapter
    embed_dim: int

    def __init__(self, channels_last: bool = False,
                 autocast_dtype: Optional[str] = None):
        super().__init__()
        self.fast = FastPath(channels_last, autocast_dtype)

    def freeze(self) -> None:
        """No gradients for any weight, and eval mode (call once, last)."""
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True) -> 'BaseTeacher':
        """The teacher is frozen: always stays in eval mode.

        Args:
            mode (bool): ignored.
        """
        return super().train(False)

    def init_weights(self) -> None:
        """Weights come from the teacher's own source (``pretrained`` /
        ``checkpoint``); nothing to initialise."""

    def encode_image(self, x: torch.Tensor) -> torch.Tensor:
        """The network's raw embedding of adapted inputs.

        Args:
            x (Tensor): (B, 3, h, w) images in the teacher's own
                normalisation and size.

        Returns:
            Tensor: (B, D) embeddings, not normalised.
        """
        raise NotImplementedError

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed images.

        Args:
            x (Tensor): (B, 3, H, W) images in the pipeline's normalisation.

        Returns:
            Tensor: (B, D) float32 unit rows.
        """
        x = self.fast.input(self.adapter(x))
        with self.fast.autocast(x):
            z = self.encode_image(x)
        return F.normalize(z.float(), dim=1)
