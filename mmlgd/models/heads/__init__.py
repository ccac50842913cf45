from .lgd_head import LGDHead
from .text_aligned_cls_head import TextAlignedClsHead

__all__ = ['LGDHead', 'TextAlignedClsHead']
