"""mmlgd: Language-Guided Distillation (LGD) as an OpenMMLab plugin.

Where things live (paper: Language-Guided Distillation; method summary in
the README and configs/lgd/README.md):

* The method, in :mod:`mmlgd.models` (mmpretrain ``MODELS``):
  ``algorithms/base.py`` (``BaseDistiller``: the frozen teacher, the
  student embedding and teacher-free checkpoints that LGD and its
  baselines share), ``algorithms/lgd.py`` (``LGD``: one training step),
  ``text/tsb.py`` (the Textual Semantics Bank L: prompts x class names
  through a text encoder, cached), ``text/category_sets.py`` (class-name
  and template sets), ``text/*_text_encoder.py`` (open_clip /
  sentence-transformers encoders), ``necks/lgka_neck.py`` (the Visual
  Semantics Bank V built by Language-Guided Knowledge Aggregation,
  momentum update), ``necks/student_projector.py`` (the
  student's projector), ``heads/lgd_head.py`` (the textual and visual
  distillation losses), ``teachers/`` (the frozen CLIP / text-aligned
  image teachers on ``teachers/base_teacher.py``, their input adapter in
  ``teachers/input_adapter.py``), ``classifiers/zero_shot_classifier.py`` and
  ``heads/text_aligned_cls_head.py`` (zero-shot evaluation, the small
  text-aligned teacher of the demo). The SEED baseline:
  ``algorithms/seed.py``, ``heads/seed_head.py``,
  ``necks/embedding_queue.py``.
* Training machinery: :mod:`mmlgd.engine.hooks` (non-finite loss stop,
  effective batch, embedding queue and pretrained-backbone checks, the
  teacher's zero-shot validation, plain message hub),
  :mod:`mmlgd.checkpoint_compat` (``weights_only`` checkpoint loading),
  :mod:`mmlgd.datasets` (strict image loading, the Fashion-MNIST scenes
  segmentation dataset, ImageNet / Caltech-256 subsets in
  ``class_subsets.py``; ``datasets/fashion_mnist/`` holds the idx, split
  and scene tools behind ``tools/dataset_converters/``).
* The teacher-embedding cache, in one place: :mod:`mmlgd.teacher_cache`
  (key and card, build, verify, replay with stored augmentation
  parameters, the dataset that attaches ``z_T`` to each sample, its
  sampler, ``CachedTeacher``, ``cached_config``; ``tools/cache_teacher.py``).
* What the command-line tools run: :mod:`mmlgd.apis` (``train``, ``test``,
  ``build_tsb``, ``extract_student``, ``convert_checkpoint``, the zero-shot
  inferencer; config loading and
  runner building for mmpretrain, mmdet and mmseg configs),
  :mod:`mmlgd.deployment` (ONNX export and its benchmark),
  :mod:`mmlgd.demo` (the offline Fashion-MNIST pipeline of
  ``tools/run_demo.py``), :mod:`mmlgd.benchmark` (``docs/benchmark.md``).
  ``tools/`` only holds their entry points. :mod:`mmlgd.utils`: atomic
  writes, file hashes, markdown tables, pretrained-weight checks.

Importing ``mmlgd`` registers every module into the OpenMMLab registries
(models into mmpretrain's ``MODELS``, hooks into mmengine's root ``HOOKS``,
the scenes dataset into mmseg's ``DATASETS`` where mmcv's compiled ops
exist, see :mod:`mmlgd.datasets`) and makes mmengine checkpoint
loading work under torch's default ``weights_only=True``
(:mod:`mmlgd.checkpoint_compat`). Configs use
``custom_imports=dict(imports=['mmlgd'], allow_failed_imports=False)``.
:mod:`mmlgd.apis`, :mod:`mmlgd.deployment`, :mod:`mmlgd.demo` and
:mod:`mmlgd.benchmark` are not imported by it.

No function of another library is replaced: mmcv is used as installed.
mmcv 2.1's ``adjust_hue`` crashes under numpy >= 2 on negative hue shifts
(the paper's ColorJitter(hue=0.1)); ``tools/install.sh`` builds mmcv with
the fix, and if the installed mmcv still has the bug the import logs one
warning naming that fix (:mod:`mmlgd.datasets.transforms.mmcv_numpy2`) and
patches nothing. Nothing else is changed at import: no environment
variables, no umask, no global torch settings.
"""
from .checkpoint_compat import install as _install_safe_loading
from .version import __version__

_install_safe_loading()

from . import datasets, engine, models, teacher_cache  # noqa: E402,F401

__all__ = ['__version__']
