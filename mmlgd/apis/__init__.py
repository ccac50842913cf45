"""Library APIs, importable and tested (as :mod:`mmpretrain.apis`); the
command lines of ``tools/`` that call them are :mod:`mmlgd.cli`.

* :mod:`.runner_setup`: config loading and ``Runner`` building for
  mmpretrain, mmdet and mmseg configs (re-exported here).
* :mod:`.train` / :mod:`.test`: :func:`~.train.train` a loaded config and
  :func:`~.test.run_test` it with a checkpoint (returns the metrics); the
  ``tools/train.py`` / ``tools/test.py`` flags -> config in
  ``merge_args`` / ``enable_show``.
* :mod:`.inferencer` / :mod:`.infer`: :class:`ZeroShotInferencer`, and
  :func:`infer_images` (classify image files and folders, table + JSON).
* :mod:`.build_tsb`: :func:`~.build_tsb.build_tsb` precomputes a config's
  TSB, or writes a run's TSB for any names as a plain ``.npy``.
* :mod:`.extract_student`: export an LGD student backbone, mmpretrain or
  torchvision key names.
* :mod:`.bingo_neighbours`: a BINGO config's neighbour file (each image's
  k nearest images in the teacher's space).
* :mod:`.convert_checkpoint`: make a trusted plain-mmengine checkpoint
  load with ``weights_only=True``.
* :mod:`.teacher_cache`: the old home of the cache build and
  ``cached_config`` (now :mod:`mmlgd.teacher_cache`).

:mod:`.runner_setup` and the inferencer are imported with the package; the
other modules on use.
"""
from .infer import infer_images, parse_classes, parse_templates
from .inferencer import ZeroShotInferencer
from .runner_setup import build_runner, load_config, scope_of

__all__ = [
    'build_runner', 'load_config', 'scope_of', 'ZeroShotInferencer',
    'infer_images', 'parse_classes', 'parse_templates'
]
