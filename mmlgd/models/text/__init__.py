from .category_sets import (
                            CATEGORY_SETS,
                            check_class_spec,
                            render_templates,
                            resolve_classes,
                            resolve_templates,
)
from .open_clip_text_encoder import OpenCLIPTextEncoder
from .sentence_transformer_text_encoder import SentenceTransformerTextEncoder
from .tsb import TextualSemanticsBank, compute_tsb, tsb_key

__all__ = [
    'CATEGORY_SETS', 'check_class_spec', 'resolve_classes',
    'resolve_templates', 'render_templates', 'OpenCLIPTextEncoder',
    'SentenceTransformerTextEncoder', 'TextualSemanticsBank', 'compute_tsb',
    'tsb_key'
]
