"""The base of the TSB text encoders (:class:`OpenCLIPTextEncoder`,
:class:`SentenceTransformerTextEncoder`)."""
from typing import Any, Callable, Dict, List

import torch
from torch import nn


class BaseTextEncoder(nn.Module):
    """A text encoder for the TSB: prompts -> (N, D) unit embeddings.

    A subclass implements ``identity`` (the string that names the encoder
    and its weights in the TSB cache key), ``tokenizer`` (N prompts -> what
    ``encode_text`` takes) and ``encode_text``; this base derives from them
    CLIP's ``model(text=...)`` protocol (:meth:`forward`, which newer
    open_clip's ``build_zero_shot_classifier`` calls) and :meth:`encode`.
    """

    @property
    def identity(self) -> str:
        """The encoder and its weights, for the TSB cache key."""
        raise NotImplementedError

    @property
    def tokenizer(self) -> Callable[[List[str]], Any]:
        """N prompts -> the input of :meth:`encode_text`."""
        raise NotImplementedError

    def encode_text(self, tokens: Any,
                    normalize: bool = True) -> torch.Tensor:
        """Encode tokenized prompts.

        Args:
            tokens: the ``tokenizer`` output for N prompts.
            normalize (bool): L2-normalise the rows.

        Returns:
            Tensor: (N, D) embeddings.
        """
        raise NotImplementedError

    def forward(self, text: Any) -> Dict[str, torch.Tensor]:
        """CLIP's ``model(text=...)`` protocol.

        Args:
            text: N tokenized prompts (the ``tokenizer`` output).

        Returns:
            dict: ``text_features``, (N, D) L2-normalised embeddings.
        """
        return dict(text_features=self.encode_text(text, normalize=True))

    def encode(self, texts: List[str]) -> torch.Tensor:
        """Encode prompts.

        Args:
            texts (list[str]): N prompts.

        Returns:
            Tensor: (N, D) L2-normalised float32 embeddings on the CPU.
        """
        return self.encode_text(self.tokenizer(texts)).float()
