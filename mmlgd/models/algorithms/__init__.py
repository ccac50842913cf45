from .lgd import LGD
from .seed import SEED

__all__ = ['LGD', 'SEED']
