"""open_clip text tower as a TSB text encoder."""
from typing import Callable, List, Optional

import torch
from mmpretrain.registry import MODELS
from torch import nn

from ...utils.hashing import file_sha256
from .base_text_encoder import BaseTextEncoder
from .open_clip_loader import (
    create_open_clip,
    is_local_weights,
    register_open_clip_config,
    resolve_quick_gelu,
)


@MODELS.register_module()
class OpenCLIPTextEncoder(BaseTextEncoder):
    """Text tower of any open_clip model, loaded lazily on first use.

    The activation follows the weights (the QuickGELU rule of
    :mod:`mmlgd.models.text.open_clip_loader`): for a hub tag open_clip's
    metadata decides, so ``model_name='RN50', pretrained='openai'`` builds
    OpenAI's QuickGELU model; for a local file the model name decides
    (``'RN50-quickgelu'`` for OpenAI's weights), and a plain OpenAI
    architecture name with a local file warns (:class:`QuickGELUWarning`,
    at construction) unless ``quick_gelu`` is given.

    Args:
        model_name (str): open_clip model name, e.g. ``'RN50-quickgelu'``,
            ``'ViT-B-32'`` (or one added with ``open_clip.add_model_config``).
        pretrained (str): hub tag (``'openai'``, ``'laion2b_s34b_b79k'``...)
            or a path to a local checkpoint file.
        cache_dir (str, optional): open_clip's download cache.
        model_config (str, optional): an open_clip model-config JSON to
            register first (a custom architecture named ``model_name``).
        quick_gelu (bool, optional): the activation the weights were trained
            with (True: QuickGELU), when the name does not say it; None
            decides by the QuickGELU rule.

    ``identity`` names the encoder, its weights (a local file is named by
    its sha256) and its activation; it is part of the TSB cache key and is
    computed without loading the model.

    Raises:
        FileNotFoundError: ``pretrained`` looks like a path but does not exist.
        ValueError: ``quick_gelu`` contradicts the hub tag's metadata.
        RuntimeError: on first use, the tag's weights cannot be downloaded
            (offline; the message says how to use a local copy), or the
            checkpoint does not fit ``model_name``.
    """

    def __init__(self, model_name: str = 'RN50-quickgelu',
                 pretrained: str = 'openai',
                 cache_dir: Optional[str] = None,
                 model_config: Optional[str] = None,
                 quick_gelu: Optional[bool] = None):
        super().__init__()
        config_id = register_open_clip_config(model_config)
        is_path = is_local_weights(pretrained, 'open_clip weights')
        self.model_name = model_name
        self.pretrained = pretrained
        self.cache_dir = cache_dir
        self.quick_gelu = resolve_quick_gelu(model_name, pretrained,
                                             quick_gelu)
        self._weights_id = (f'sha256:{file_sha256(pretrained)}'
                            if is_path else pretrained)
        self._config_id = config_id
        self._model = None
        self._tokenizer = None

    @property
    def identity(self) -> str:
        """``open_clip:<model>:<weights>:<activation>[:config-sha256:..]``."""
        act = {True: 'quickgelu', False: 'gelu', None: 'act-from-config'}
        return (f'open_clip:{self.model_name}:{self._weights_id}:'
                f'{act[self.quick_gelu]}') + (
            f':config-sha256:{self._config_id}' if self._config_id else '')

    def _load(self) -> nn.Module:
        if self._model is None:
            import open_clip
            model = create_open_clip(self.model_name, self.pretrained,
                                     self.quick_gelu, self.cache_dir)
            model.visual = None  # only the text tower is used
            self._model = model.eval().requires_grad_(False)
            self._tokenizer = open_clip.get_tokenizer(self.model_name)
        return self._model

    @property
    def tokenizer(self) -> Callable[[List[str]], torch.Tensor]:
        """The model's tokenizer: N prompts -> (N, context_length) ids."""
        self._load()
        return self._tokenizer

    @torch.no_grad()
    def encode_text(self, tokens: torch.Tensor,
                    normalize: bool = True) -> torch.Tensor:
        """Encode token ids.

        Args:
            tokens (Tensor): (N, context_length) token ids.
            normalize (bool): L2-normalise the rows.

        Returns:
            Tensor: (N, D) embeddings.
        """
        return self._load().encode_text(tokens, normalize=normalize)
