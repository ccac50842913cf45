"""A frozen open_clip image tower as the LGD teacher."""
from typing import Optional, Sequence

import torch
from mmpretrain.registry import MODELS

from ..text.open_clip_loader import (
    create_open_clip,
    is_local_weights,
    register_open_clip_config,
    resolve_quick_gelu,
)
from .base_teacher import BaseTeacher
from .input_adapter import InputAdapter, clip_mean_std_255


@MODELS.register_module()
class OpenCLIPVisionTeacher(BaseTeacher):
    """Frozen CLIP image encoder ``f_T``: images -> unit embeddings ``z_T``
    (LGD paper, Sec. 3.1).

    The activation follows the weights (the QuickGELU rule of
    :mod:`mmlgd.models.text.open_clip_loader`): for a hub tag open_clip's
    metadata decides, so ``model_name='RN50', pretrained='openai'`` builds
    OpenAI's QuickGELU model; for a local file the model name decides
    (``'RN50-quickgelu'`` for OpenAI's weights), and a plain OpenAI
    architecture name with a local file warns (:class:`QuickGELUWarning`)
    unless ``quick_gelu`` is given.

    Args:
        model_name (str): open_clip model name (paper: ``'RN50-quickgelu'``,
            or ``'RN50'`` with the ``'openai'`` tag).
        pretrained (str): hub tag (``'openai'``), local checkpoint path, or
            ``''`` for random weights (benchmarks only).
        data_mean (Sequence[float], optional): the *pipeline's*
            normalisation mean in 0-255 units; None: CLIP's
            (:func:`clip_mean_std_255`), as in the paper's recipe. Inputs
            are re-normalised to the model's own mean/std if they differ.
        data_std (Sequence[float], optional): the pipeline's std, 0-255
            units; None: CLIP's.
        image_size (int, optional): override the teacher resolution; default
            the model's own (224 for RN50); inputs are resized to it.
        cache_dir (str, optional): open_clip download cache.
        model_config (str, optional): an open_clip model-config JSON to
            register first (a custom architecture named ``model_name``).
        quick_gelu (bool, optional): the activation the weights were trained
            with (True: QuickGELU), when the name does not say it; None
            decides by the QuickGELU rule.
        channels_last (bool): channels-last fast path, see
            :class:`~mmlgd.models.teachers.base_teacher.FastPath`.
        autocast_dtype (str, optional): autocast fast path, see
            :class:`~mmlgd.models.teachers.base_teacher.FastPath`.

    ``forward``: (B, 3, H, W) float -> (B, D) L2-normalised, always in eval
    mode, with no autograd graph. ``embed_dim`` is D.

    Raises:
        FileNotFoundError: ``pretrained`` is a path that does not exist.
        ValueError: ``pretrained`` is neither a file nor a tag of
            ``model_name``; ``quick_gelu`` contradicts the tag.
        RuntimeError: the tag's weights cannot be downloaded (offline; the
            message says how to use a local copy), or the checkpoint does
            not fit ``model_name`` (the message names both).
    """

    def __init__(self, model_name: str = 'RN50-quickgelu',
                 pretrained: str = 'openai',
                 data_mean: Optional[Sequence[float]] = None,
                 data_std: Optional[Sequence[float]] = None,
                 image_size: Optional[int] = None,
                 cache_dir: Optional[str] = None,
                 model_config: Optional[str] = None,
                 quick_gelu: Optional[bool] = None,
                 channels_last: bool = False,
                 autocast_dtype: Optional[str] = None):
        super().__init__(channels_last, autocast_dtype)
        import open_clip
        register_open_clip_config(model_config)
        is_local_weights(pretrained, 'Teacher checkpoint')
        self.quick_gelu = resolve_quick_gelu(model_name, pretrained,
                                             quick_gelu)
        clip = create_open_clip(model_name, pretrained, self.quick_gelu,
                                cache_dir)
        pp = open_clip.get_model_preprocess_cfg(clip)
        self.model_name = model_name
        self.visual = self.fast.prepare(clip.visual)
        self.embed_dim = int(self.visual.output_dim)
        del clip
        clip_mean, clip_std = clip_mean_std_255()
        self.adapter = InputAdapter(
            clip_mean if data_mean is None else data_mean,
            clip_std if data_std is None else data_std, pp['mean'],
            pp['std'], image_size or pp['size'])
        self.freeze()

    def encode_image(self, x: torch.Tensor) -> torch.Tensor:
        """CLIP's image tower: (B, 3, h, w) -> (B, D), not normalised."""
        return self.visual(x)
