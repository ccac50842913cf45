"""A teacher's input convention: CLIP's normalisation constants
(:func:`clip_mean_std_255`) and the adapter from the data pipeline's
normalisation and size to the teacher's (:class:`InputAdapter`)."""
from typing import Optional, Sequence, Tuple, Union

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

