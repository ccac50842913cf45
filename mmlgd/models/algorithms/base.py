"""The distillation base shared by LGD and its baselines (SEED, BINGO): a
frozen teacher beside a trainable student, on mmpretrain's
:class:`BaseSelfSupervisor` (the shape of mmrazor's
``SingleTeacherDistill``)."""
from typing import List, Optional, Union

import torch
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

#: State-dict prefix of the teacher (mmpretrain's ``target_generator``).
TEACHER_PREFIX = 'target_generator.'


def student_embedding(backbone: nn.Module, neck: nn.Module,
                      inputs: torch.Tensor) -> torch.Tensor:
    """The student embedding ``z_S = neck(backbone(x))`` (LGD paper,
    Sec. 3.1), the one definition used by training (:class:`BaseDistiller`),
    zero-shot evaluation (:class:`ZeroShotClassifier`) and the deployment
    benchmark.

    Args:
        backbone (nn.Module): the student backbone (any mmpretrain backbone;
            returns a tuple of feature maps).
        neck (nn.Module): the projector (:class:`LGKANeck`,
            :class:`StudentProjector`).
        inputs (Tensor): (B, 3, H, W) images.

    Returns:
        Tensor: (B, D) embeddings (unit rows for the project's necks).
    """
    return neck(backbone(inputs))


def with_default(cfg: Union[dict, nn.Module], key: str,
                 value: Optional[int]) -> Union[dict, nn.Module]:
    """A copy of a module config with ``key`` defaulting to ``value`` (the
    teacher's embedding dimension, for the projector and queue of the
    queue-based baselines).

    Args:
        cfg (dict | nn.Module): a module config, or a built module (returned
            as is).
        key (str): the config key to default.
        value (int, optional): the default; ``None`` returns ``cfg`` as is.

    Returns:
        dict | nn.Module: the (copied) config, or ``cfg`` itself.
    """
    if not isinstance(cfg, dict) or value is None:
        return cfg
    cfg = dict(cfg)
    cfg.setdefault(key, value)
    return cfg


def drop_teacher_keys(module: nn.Module, state_dict: dict, prefix: str,
                      local_metadata: dict) -> None:
    """State-dict post-hook (saving): leave the frozen teacher
    (``target_generator.*``) out of every state dict, in place."""
    for key in [k for k in state_dict
                if k.startswith(prefix + TEACHER_PREFIX)]:
        del state_dict[key]


def fill_teacher_keys(module: nn.Module, state_dict: dict, prefix: str,
                      *args) -> None:
    """Load-state-dict pre-hook (loading): the teacher's keys come from the
    teacher built from its own source, not from the file (which has none,
    see :func:`drop_teacher_keys`); keys the file does have are kept."""
    teacher = module.target_generator
    for key, value in teacher.state_dict(keep_vars=True).items():
        state_dict.setdefault(f'{prefix}{TEACHER_PREFIX}{key}',
                              value.detach())


class BaseDistiller(BaseSelfSupervisor):
    """A student (``backbone`` + ``neck``) distilled from a frozen teacher
    (``target_generator``): what LGD, SEED and BINGO share.

    It owns:

    * the teacher: built from its config (:meth:`build_teacher`), frozen
      (no gradients, always in eval mode, also after ``model.train()``) and
      run without an autograd graph (:meth:`teacher_embed`);
    * checkpoints without the teacher: saving drops the
      ``target_generator.*`` keys, loading fills them from the freshly
      built teacher (a teacher is rebuilt from its own source, e.g. the
      CLIP weights), so state-dict keys are those of mmpretrain's
      ``BaseSelfSupervisor`` minus the teacher;
    * the student embedding ``z_S = neck(backbone(x))``
      (:meth:`embed`, :func:`student_embedding`).

    Subclasses implement ``loss`` (mmpretrain's contract) and may add
    modules (the TSB, a queue) after ``super().__init__``.

    Args:
        backbone (dict | nn.Module): the student (any mmpretrain backbone).
        neck (dict | nn.Module): the student projector.
        head (dict | nn.Module): the distillation loss head.
        target_generator (dict | nn.Module): the frozen teacher
            (:class:`OpenCLIPVisionTeacher`, :class:`TextAlignedTeacher` or
            :class:`CachedTeacher`); mapping (B, 3, H, W) images to (B, D)
            unit rows, with ``embed_dim`` = D.
        data_preprocessor (dict | nn.Module, optional): defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, backbone: Union[dict, nn.Module],
                 neck: Union[dict, nn.Module], head: Union[dict, nn.Module],
                 target_generator: Union[dict, nn.Module],
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(backbone=backbone, neck=neck, head=head,
                         target_generator=target_generator,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.target_generator.requires_grad_(False)
        self.target_generator.eval()
        self.register_state_dict_post_hook(drop_teacher_keys)
        self.register_load_state_dict_pre_hook(fill_teacher_keys)

    def build_queue(self, queue: Union[dict, nn.Module],
                    dim: Optional[int]) -> None:
        """Build ``self.queue``, the teacher-embedding queue of the
        queue-based baselines (SEED, BINGO), after ``super().__init__``.

        Args:
            queue (dict | nn.Module): :class:`EmbeddingQueue` config (``dim``
                defaults to ``dim``) or module.
            dim (int, optional): the teacher's embedding dimension D.

        Raises:
            ValueError: the queue's or the projector's (``neck.out_channels``)
                dimension differs from the teacher's (or, without a known
                teacher dimension, the projector's from the queue's).
        """
        queue = with_default(queue, 'dim', dim)
        self.queue = MODELS.build(queue) if isinstance(queue, dict) else queue
        want = dim if dim is not None else self.queue.dim
        out = getattr(self.neck, 'out_channels', None)
        for part, size, key in (('queue', self.queue.dim, 'queue.dim'),
                                ('projector', out, 'neck.out_channels')):
            if size is not None and size != want:
                raise ValueError(
                    f'{type(self).__name__} {part} dimension {size} != '
                    f'teacher embedding dimension {want}: the queue holds '
                    f'teacher embeddings; set {key}={want} or leave it out '
                    '(it defaults to the teacher\'s).')

    @staticmethod
    def build_teacher(cfg: Union[dict, nn.Module]) -> nn.Module:
        """The teacher module of ``cfg`` (a module passes through), for a
        subclass that needs the teacher's ``embed_dim`` before it builds the
        student neck.

        Args:
            cfg (dict | nn.Module): the ``target_generator`` config.
        """
        return MODELS.build(cfg) if isinstance(cfg, dict) else cfg

    @property
    def teacher(self) -> nn.Module:
        """The frozen teacher (stored as ``target_generator``, the name that
        fixes its checkpoint keys)."""
        return self.target_generator

    def train(self, mode: bool = True) -> 'BaseDistiller':
        """Set the student's mode; the teacher stays in eval mode.

        Args:
            mode (bool): train (True) or eval (False) for the student.
        """
        super().train(mode)
        self.target_generator.eval()
        return self

    def extract_feat(self, inputs: torch.Tensor):
        """Student features: (B, 3, H, W) -> the backbone's output tuple."""
        return self.backbone(inputs)

    def embed(self, inputs: torch.Tensor) -> torch.Tensor:
        """Student embeddings ``z_S``: (B, 3, H, W) -> (B, D) unit rows
        (:func:`student_embedding`)."""
        return student_embedding(self.backbone, self.neck, inputs)

    @torch.no_grad()
    def teacher_embed(self, inputs: torch.Tensor,
                      data_samples: Optional[List[DataSample]] = None
                      ) -> torch.Tensor:
        """Teacher embeddings ``z_T``: (B, 3, H, W) -> (B, D) unit rows,
        with no autograd graph.

        Args:
            inputs (Tensor): (B, 3, H, W) images.
            data_samples (list[DataSample], optional): passed on to a
                teacher that reads them (``reads_data_samples``, e.g. a
                :class:`CachedTeacher` looks ``z_T`` up by the samples'
                cache index and view).
        """
        if getattr(self.target_generator, 'reads_data_samples', False):
            return self.target_generator(inputs, data_samples)
        return self.target_generator(inputs)
