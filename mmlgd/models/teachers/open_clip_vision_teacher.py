"""A frozen open_clip image tower as the LGD teacher."""
import os.path as osp
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from ..text.utils import register_open_clip_config
from .renormalize import FastPath, InputAdapter

# mmpretrain's data preprocessor works in 0-255 units; these are CLIP's
# mean/std (open_clip.OPENAI_DATASET_MEAN/STD) in those units.
CLIP_MEAN_255 = [0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255]
CLIP_STD_255 = [0.26862954 * 255, 0.26130258 * 255, 0.27577711 * 255]


@MODELS.register_module()
class OpenCLIPVisionTeacher(BaseModule):
    """Frozen CLIP image encoder ``f_T``: images -> unit embeddings ``z_T``.

    Args:
        model_name (str): open_clip model name (paper: ``'RN50'``).
        pretrained (str): hub tag (``'openai'``) or local checkpoint path.
        data_mean, data_std (sequence): the *pipeline's* normalisation in
            0-255 units (default CLIP's, as in the paper's recipe); inputs are
            re-normalised to the model's own mean/std if they differ.
        image_size (int, optional): override the teacher resolution; default
            the model's own (224 for RN50); inputs are resized to it.
        cache_dir (str, optional): open_clip download cache.
        model_config (str, optional): an open_clip model-config JSON to
            register first (a custom architecture named ``model_name``).
        channels_last (bool), autocast_dtype (str, optional): fast paths,
            see :class:`FastPath`.

    ``forward``: (B, 3, H, W) float -> (B, D) L2-normalised, always in eval
    mode, with no autograd graph. ``embed_dim`` is D.

    Raises:
        FileNotFoundError: ``pretrained`` is a path that does not exist.
        RuntimeError: the checkpoint does not fit ``model_name`` (message
            names both).
    """

    def __init__(self, model_name: str = 'RN50', pretrained: str = 'openai',
                 data_mean: Sequence[float] = CLIP_MEAN_255,
                 data_std: Sequence[float] = CLIP_STD_255,
                 image_size: Optional[int] = None,
                 cache_dir: Optional[str] = None,
                 model_config: Optional[str] = None,
                 channels_last: bool = False,
                 autocast_dtype: Optional[str] = None):
        super().__init__()
        self.fast = FastPath(channels_last, autocast_dtype)
        import open_clip
        register_open_clip_config(model_config)
        is_path = osp.sep in pretrained or pretrained.endswith(
            ('.pt', '.pth', '.bin', '.safetensors'))
        if is_path and not osp.isfile(pretrained):
            raise FileNotFoundError(
                f'Teacher checkpoint {pretrained!r} does not exist: fix the '
                "path or use a hub tag such as pretrained='openai'.")
        try:
            clip = open_clip.create_model(model_name, pretrained=pretrained,
                                          cache_dir=cache_dir)
        except RuntimeError as err:
            raise RuntimeError(
                f'Teacher checkpoint {pretrained!r} does not match open_clip '
                f'architecture {model_name!r} ({str(err)[:300]}...). Use the '
                'model_name the weights were trained with.') from err
        pp = open_clip.get_model_preprocess_cfg(clip)
        self.model_name = model_name
        self.visual = self.fast.prepare(clip.visual)
        self.embed_dim = int(self.visual.output_dim)
        del clip
        self.adapter = InputAdapter(data_mean, data_std, pp['mean'],
                                    pp['std'], image_size or pp['size'])
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True):
        """The teacher is frozen: always stays in eval mode."""
        return super().train(False)

    def init_weights(self):
        """Weights come from ``pretrained``; nothing to initialise."""

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.fast.input(self.adapter(x))
        with self.fast.autocast(x):
            z = self.visual(x)
        return F.normalize(z.float(), dim=1)
