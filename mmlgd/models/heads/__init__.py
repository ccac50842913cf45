from .lgd_head import LGDHead
from .seed_head import SEEDHead
from .text_aligned_cls_head import TextAlignedClsHead

__all__ = ['LGDHead', 'SEEDHead', 'TextAlignedClsHead']
