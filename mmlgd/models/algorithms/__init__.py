from .lgd import LGD

__all__ = ['LGD']
