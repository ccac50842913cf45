"""mmlgd: Language-Guided Distillation (LGD) as an OpenMMLab plugin.

Importing ``mmlgd`` registers every module into the OpenMMLab registries
(models into mmpretrain's ``MODELS``, hooks into mmengine's root ``HOOKS``,
the scenes dataset into mmseg's ``DATASETS``) and makes mmengine checkpoint
loading work under torch's default ``weights_only=True``
(:mod:`mmlgd.checkpoint_compat`). Configs use
``custom_imports=dict(imports=['mmlgd'], allow_failed_imports=False)``.
"""
from .checkpoint_compat import install as _install_safe_loading
from .version import __version__

_install_safe_loading()

from . import datasets, engine, models  # noqa: E402,F401

__all__ = ['__version__']
