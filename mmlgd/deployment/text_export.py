"""The run's text encoder as an ONNX graph (``--part text``): TSB rows for
new category names with onnxruntime and a tokenizer, no PyTorch.

A TSB row is CLIP's prompt ensemble (LGD paper, Sec. 3.2;
:func:`mmlgd.models.text.tsb.compute_tsb`): for one name, tokenize every
template with the name filled in, run the graph (unit rows), average over
the templates, L2-normalise. The file's metadata holds the templates, the
context length and what the tokenizer must do (docs/deployment.md).
"""
from typing import Callable, Optional, Tuple

import torch
from torch import nn

# The text graph's default opset: with newer ones torch 2.14's exporter emits
# ONNX ``Attention``, which onnx's version converter cannot handle (the file
# then fails to load); at 18 attention is decomposed into MatMul / Softmax.
TEXT_OPSET = 18
# Prompts the verification tokenizes (real token layouts, any batch size).
_PROMPTS = ('a photo of a cat.', 'a bad photo of the teapot.',
            'itap of a lighthouse.', 'a sculpture of a giraffe.')


class TextTower(nn.Module):
    """An open_clip text encoder as ``tokens (B, L) int64 -> (B, D)`` unit
    embeddings (output ``text_embedding``)."""

    output_names = ('text_embedding', )

    def __init__(self, encoder: nn.Module):
        super().__init__()
        self.encoder = encoder

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.encoder.encode_text(tokens, normalize=True)


def text_tower(cfg, templates=None
               ) -> Tuple[nn.Module, dict, Callable[[int, torch.Generator],
                                                     torch.Tensor]]:
    """The run's TSB text encoder, its metadata and a verification input.

    Args:
        cfg (Config): the run's config (LGD or ``ZeroShotClassifier``).
        templates: prompt templates to record; ``None``: the run's.

    Returns:
        tuple: ``(module, metadata, make_input)``; ``make_input(batch,
        generator)`` gives (batch, L) token ids of real prompts.

    Raises:
        ValueError: the run's text encoder is not open_clip's.
    """
    from mmpretrain.registry import MODELS

    from mmlgd.models.text.category_sets import (
        render_templates,
        resolve_templates,
    )

    from .builder import zero_shot_model_cfg
    tsb = zero_shot_model_cfg(cfg, templates=templates)['tsb']
    if tsb['encoder'].get('type') != 'OpenCLIPTextEncoder':
        raise ValueError(
            f"--part text exports open_clip text encoders; this run's is "
            f"{tsb['encoder'].get('type')!r}.")
    encoder = MODELS.build(tsb['encoder'])
    tok = encoder.tokenizer  # loads the model
    meta = dict(
        text_encoder=encoder.identity,
        templates=render_templates(resolve_templates(tsb['templates'])),
        tokenizer=dict(
            library='open_clip', type=type(tok).__name__,
            model_name=encoder.model_name,
            context_length=int(tok.context_length),
            sot_token_id=getattr(tok, 'sot_token_id', None),
            eot_token_id=getattr(tok, 'eot_token_id', None), pad_id=0),
        tsb_rule='row = normalize(mean over templates of text_embedding('
        'tokenize(template.format(name))))')

    def make_input(batch: int, generator=None) -> torch.Tensor:
        return tok([_PROMPTS[i % len(_PROMPTS)] for i in range(batch)])

    return TextTower(encoder).eval(), meta, make_input


def text_input_shape(meta: dict) -> Tuple[int, int]:
    """(1, L): the export's example shape."""
    return 1, int(meta['tokenizer']['context_length'])


def no_text_part(part: str, classes: Optional[object]) -> None:
    """Raise ValueError for ``--classes`` with ``--part text`` (the text
    graph serves any names; there are none to fix)."""
    if part == 'text' and classes is not None:
        raise ValueError('--part text exports the text encoder, which '
                         'serves any names: drop --classes.')
