from .lgka_neck import LGKANeck

__all__ = ['LGKANeck']
