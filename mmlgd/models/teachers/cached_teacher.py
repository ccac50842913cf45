"""Old home of ``CachedTeacher``: now :mod:`mmlgd.teacher_cache.teacher`
(kept for ``from mmlgd.models.teachers.cached_teacher import
CachedTeacher``)."""
from ...teacher_cache.teacher import CachedTeacher  # noqa: F401
