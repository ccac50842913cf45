"""Old home of view replay and ``CachedViewDataset``: now
:mod:`mmlgd.teacher_cache.replay` and :mod:`mmlgd.teacher_cache.dataset`."""
from ..teacher_cache.dataset import CachedViewDataset  # noqa: F401
from ..teacher_cache.replay import (  # noqa: F401
    replay_view,
    seeded_rngs,
    view_seed,
)
