from .base import BaseDistiller, student_embedding
from .bingo import BINGO
from .lgd import LGD
from .seed import SEED

__all__ = ['BINGO', 'BaseDistiller', 'student_embedding', 'LGD', 'SEED']
