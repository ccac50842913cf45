"""Adapt the student's pipeline output to a teacher's own input convention,
and the teachers' optional fast paths."""
import contextlib
from typing import ContextManager, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import nn


def clip_mean_std_255() -> Tuple[Tuple[float, ...], Tuple[float, ...]]:
    """CLIP's mean and std (``open_clip.OPENAI_DATASET_MEAN/STD``) in the
    0-255 units of mmpretrain's data preprocessor.

    The one source of these numbers in the package (open_clip is imported
    here, not when ``mmlgd`` is). Configs cannot import open_clip at parse
    time and write them out; a test checks every such literal.

    Returns:
        tuple: (mean, std), three floats each.
    """
    import open_clip
    return (tuple(255 * m for m in open_clip.OPENAI_DATASET_MEAN),
            tuple(255 * s for s in open_clip.OPENAI_DATASET_STD))


class InputAdapter(nn.Module):
    """Re-normalise and resize images from the data pipeline's convention
    to a teacher's.

    Args:
        data_mean (Sequence[float]): the pipeline's per-channel mean, in
            0-255 pixel units (as in mmpretrain's data preprocessor).
        data_std (Sequence[float]): the pipeline's std, 0-255 units.
        teacher_mean (Sequence[float]): the teacher's expected mean, in 0-1
            units (open_clip convention).
        teacher_std (Sequence[float]): the teacher's std, 0-1 units.
        size (int | tuple, optional): the teacher's input resolution; inputs
            of another size are resized (bicubic, antialiased when
            shrinking). ``None`` keeps the size.

    ``forward``: (B, 3, H, W) -> (B, 3, h, w). When both conventions agree
    and the size matches, it returns the input unchanged (no copy).
    """

    def __init__(self, data_mean: Sequence[float], data_std: Sequence[float],
                 teacher_mean: Sequence[float], teacher_std: Sequence[float],
                 size: Optional[Union[int, Tuple[int, int]]] = None):
        super().__init__()
        d_mean = torch.tensor(data_mean, dtype=torch.float32) / 255.0
        d_std = torch.tensor(data_std, dtype=torch.float32) / 255.0
        t_mean = torch.tensor(teacher_mean, dtype=torch.float32)
        t_std = torch.tensor(teacher_std, dtype=torch.float32)
        # x_teacher = (x * d_std + d_mean - t_mean) / t_std = x * a + b
        scale = d_std / t_std
        shift = (d_mean - t_mean) / t_std
        self.identity_norm = bool(torch.allclose(scale, torch.ones(3)) and
                                  torch.allclose(shift, torch.zeros(3),
                                                 atol=1e-6))
        self.register_buffer('scale', scale.view(1, 3, 1, 1),
                             persistent=False)
        self.register_buffer('shift', shift.view(1, 3, 1, 1),
                             persistent=False)
        if isinstance(size, int):
            size = (size, size)
        self.size: Optional[tuple] = tuple(size) if size else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) pipeline images -> (B, 3, h, w) teacher inputs."""
        if self.size is not None and tuple(x.shape[-2:]) != self.size:
            shrink = x.shape[-1] > self.size[-1]
            x = F.interpolate(x, size=self.size, mode='bicubic',
                              align_corners=False, antialias=shrink)
        if not self.identity_norm:
            x = x * self.scale.to(x.dtype) + self.shift.to(x.dtype)
        return x


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
