"""Old home of the cache key and store: now :mod:`mmlgd.teacher_cache.key`
and :mod:`mmlgd.teacher_cache.store`."""
from ..teacher_cache.key import (  # noqa: F401
    cache_key,
    check_key,
    dataset_identity,
    key_id,
    plain,
    teacher_identity,
)
from ..teacher_cache.store import (  # noqa: F401
    BUILD,
    FORMAT,
    MANIFEST,
    TeacherCacheStore,
    cache_bytes,
    open_shard,
    read_json,
    remove_cache_files,
    shard_path,
    shard_shapes,
)
