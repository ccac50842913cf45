"""Old home of ``CachedViewSampler``: now
:mod:`mmlgd.teacher_cache.sampler`."""
from ..teacher_cache.sampler import CachedViewSampler  # noqa: F401
