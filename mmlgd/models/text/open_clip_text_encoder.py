"""open_clip text tower as a TSB text encoder."""
import os.path as osp
from typing import List, Optional

import torch
from mmpretrain.registry import MODELS
from torch import nn

from .utils import file_sha256, register_open_clip_config


@MODELS.register_module()
class OpenCLIPTextEncoder(nn.Module):
    """Text tower of any open_clip model, loaded lazily on first use.

    Args:
        model_name (str): open_clip model name, e.g. ``'RN50'``, ``'ViT-B-32'``
            (or one added with ``open_clip.add_model_config``).
        pretrained (str): hub tag (``'openai'``, ``'laion2b_s34b_b79k'``...)
            or a path to a local checkpoint file.
        cache_dir (str, optional): open_clip's download cache.
        model_config (str, optional): an open_clip model-config JSON to
            register first (a custom architecture named ``model_name``).

    ``identity`` names the encoder and its weights (a local file is named by
    its sha256) and is part of the TSB cache key; it is computed without
    loading the model.

    Raises:
        FileNotFoundError: ``pretrained`` looks like a path but does not exist.
    """

    def __init__(self, model_name: str = 'RN50', pretrained: str = 'openai',
                 cache_dir: Optional[str] = None,
                 model_config: Optional[str] = None):
        super().__init__()
        config_id = register_open_clip_config(model_config)
        looks_like_path = osp.sep in pretrained or pretrained.endswith(
            ('.pt', '.pth', '.bin', '.safetensors'))
        if looks_like_path and not osp.isfile(pretrained):
            raise FileNotFoundError(
                f'open_clip weights {pretrained!r} do not exist: pass an '
                "existing file or a hub tag such as 'openai'.")
        self.model_name = model_name
        self.pretrained = pretrained
        self.cache_dir = cache_dir
        self._weights_id = (f'sha256:{file_sha256(pretrained)}'
                            if looks_like_path else pretrained)
        self._config_id = config_id
        self._model = None
        self._tokenizer = None

    @property
    def identity(self) -> str:
        return f'open_clip:{self.model_name}:{self._weights_id}' + (
            f':config-sha256:{self._config_id}' if self._config_id else '')

    def _load(self):
        if self._model is None:
            import open_clip
            model = open_clip.create_model(
                self.model_name, pretrained=self.pretrained,
                cache_dir=self.cache_dir)
            model.visual = None  # only the text tower is used
            self._model = model.eval().requires_grad_(False)
            self._tokenizer = open_clip.get_tokenizer(self.model_name)
        return self._model

    @property
    def tokenizer(self):
        self._load()
        return self._tokenizer

    @torch.no_grad()
    def encode_text(self, tokens: torch.Tensor,
                    normalize: bool = True) -> torch.Tensor:
        """(N, context_length) token ids -> (N, D) embeddings."""
        return self._load().encode_text(tokens, normalize=normalize)

    def encode(self, texts: List[str]) -> torch.Tensor:
        """Prompts -> (N, D) L2-normalised embeddings (float32, CPU)."""
        return self.encode_text(self.tokenizer(texts)).float()
