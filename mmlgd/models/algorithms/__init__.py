from .base import BaseDistiller, student_embedding
from .lgd import LGD
from .seed import SEED

__all__ = ['BaseDistiller', 'student_embedding', 'LGD', 'SEED']
