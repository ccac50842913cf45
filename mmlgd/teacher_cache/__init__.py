"""The teacher-embedding cache (docs/teacher_cache.md): ``z_T`` of N
replayable views per training image, computed once, so pre-training runs
without a teacher forward (FKD, Shen & Xing, ECCV 2022).

* :mod:`.key`: what a cache was built from (teacher + weights sha256,
  pipeline, image list and content fingerprints, N, seed);
* :mod:`.store`: the folder on disk (format, shards, parameters, manifest);
* :mod:`.card`: the human-readable facts in the manifest;
* :mod:`.replay`: seeded views with stored augmentation parameters;
* :mod:`.build`: :func:`build_teacher_cache` (resumable, distributed);
* :mod:`.verify`: :func:`verify_cache` (re-render, re-embed, compare);
* :mod:`.config`: :func:`cached_config`, the one online -> cached rewrite;
* :mod:`.dataset`, :mod:`.sampler`, :mod:`.teacher`: the registered
  ``CachedViewDataset`` (the one reader: attaches ``z_T`` to each sample),
  ``CachedViewSampler`` and ``CachedTeacher`` (returns that ``z_T``);
* the command line (build / verify / info): :mod:`mmlgd.cli.cache_teacher`.

Importing it registers the three modules (``import mmlgd`` does).
"""
from .build import build_teacher_cache
from .config import cached_config
from .dataset import CachedViewDataset
from .replay import replay_view, view_seed
from .sampler import CachedViewSampler
from .store import TeacherCacheStore
from .teacher import CachedTeacher
from .verify import verify_cache

__all__ = ['build_teacher_cache', 'cached_config', 'CachedViewDataset',
           'CachedViewSampler', 'CachedTeacher', 'TeacherCacheStore',
           'replay_view', 'view_seed', 'verify_cache']
