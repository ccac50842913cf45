from .bingo_head import BINGOHead
from .lgd_head import LGDHead
from .seed_head import SEEDHead
from .text_aligned_cls_head import TextAlignedClsHead

__all__ = ['BINGOHead', 'LGDHead', 'SEEDHead', 'TextAlignedClsHead']
