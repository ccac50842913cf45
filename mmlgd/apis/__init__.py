"""What the command-line tools run, importable and tested as a library.

* :mod:`.runner_setup`: config loading and ``Runner`` building for
  mmpretrain, mmdet and mmseg configs (re-exported here).
* :mod:`.train` / :mod:`.test`: ``tools/train.py`` / ``tools/test.py``
  (``main(argv)``; flags -> config in ``merge_args`` / ``enable_show``).
* :mod:`.build_tsb`: precompute a config's TSB, or write a run's TSB for
  any names as a plain ``.npy`` (``tools/build_tsb.py``).
* :mod:`.extract_student`: export an LGD student backbone, mmpretrain or
  torchvision key names (``tools/extract_student.py``).
* :mod:`.bingo_neighbours`: a BINGO config's neighbour file (each image's
  k nearest images in the teacher's space; ``tools/bingo_neighbours.py``).
* :mod:`.convert_checkpoint`: make a trusted plain-mmengine checkpoint
  load with ``weights_only=True`` (``tools/misc/convert_checkpoint.py``).
* :mod:`.inferencer` / :mod:`.infer`: zero-shot inference on image
  files (``tools/infer.py``).

:mod:`.runner_setup` and the inferencer are imported with the package; the
tool modules above on use. The command lines of ``extract_student`` and
``convert_checkpoint`` (their parsing and exit codes) are in
:mod:`mmlgd.cli`; here are the functions they call.
"""
from .infer import infer_images, parse_classes, parse_templates
from .inferencer import ZeroShotInferencer
from .runner_setup import build_runner, load_config, scope_of

__all__ = [
    'build_runner', 'load_config', 'scope_of', 'ZeroShotInferencer',
    'infer_images', 'parse_classes', 'parse_templates'
]
