"""Old home of the cache build and ``cached_config``: now
:mod:`mmlgd.teacher_cache` (kept so ``mmlgd.apis.teacher_cache.cached_config``
keep working; the command line is :mod:`mmlgd.cli.cache_teacher`)."""
from ..teacher_cache.build import build_teacher_cache
from ..teacher_cache.config import cached_config

__all__ = ['build_teacher_cache', 'cached_config']
