"""Language-Guided Distillation (LGD) as an mmpretrain self-supervised
algorithm."""
from typing import Dict, List, Optional, Union

import torch
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

from ..necks.lgka_neck import LGKANeck
from .base import BaseDistiller


def with_tsb_shape(neck: dict, tsb: nn.Module) -> dict:
    """A copy of a student-neck config with ``out_channels`` defaulting to
    the TSB's D and, for an :class:`LGKANeck` (which holds the VSB),
    ``num_classes`` to its K. A plain ``StudentProjector`` (e.g. a SEED
    student evaluated zero-shot) gets no ``num_classes``.

    Args:
        neck (dict): the neck config (returned unchanged if not a dict).
        tsb (nn.Module): the :class:`TextualSemanticsBank`.
    """
    if not isinstance(neck, dict):
        return neck
    neck = dict(neck)
    neck.setdefault('out_channels', tsb.dim)
    neck_type = neck.get('type')
    cls = MODELS.get(neck_type) if isinstance(neck_type, str) else neck_type
    if isinstance(cls, type) and issubclass(cls, LGKANeck):
        neck.setdefault('num_classes', tsb.num_classes)
    return neck


@MODELS.register_module()
class LGD(BaseDistiller):
    """Lightweight model pre-training via Language Guided Knowledge
    Distillation (Li et al., IEEE TMM 2024, arXiv:2406.11689).

    Per step, on one augmented view ``x`` (B, 3, H, W):
    ``z_T = teacher(x)`` (frozen, eval, no autograd graph),
    ``z_S = neck(backbone(x))``, loss from :class:`LGDHead` with the TSB and
    the VSB as it was before this step, then the LGKA update of the VSB
    (:meth:`LGKANeck.update_vsb`).

    Args:
        backbone (dict): the student (any mmpretrain backbone).
        neck (dict): :class:`LGKANeck`; ``num_classes`` and ``out_channels``
            default to the TSB's shape (K, D).
        head (dict): :class:`LGDHead`.
        target_generator (dict): the frozen teacher
            (:class:`OpenCLIPVisionTeacher` or :class:`TextAlignedTeacher`).
        tsb (dict): :class:`TextualSemanticsBank`.
        data_preprocessor (dict, optional): defaults to
            ``SelfSupDataPreprocessor``.
        zero_shot_scale (float): logit scale ``s`` of the zero-shot
            prediction (100, as CLIP and the paper).

    Validation (``mode='predict'``, mmengine's ``ValLoop`` with mmpretrain's
    ``Accuracy``): zero-shot classification of the student through the TSB,
    ``logits = zero_shot_scale * z_S L^T`` (paper Sec. 4.2; the authors
    evaluate it every 5 epochs). With ``predict_teacher`` set (by
    :class:`TeacherZeroShotHook`, once per run) each data sample also gets
    the teacher's zero-shot scores as ``teacher_pred_score``.

    Teacher handling, the student embedding and checkpoints without the
    teacher come from :class:`BaseDistiller`: checkpoints hold the student,
    the neck (projector and VSB) and the training state.

    Raises:
        ValueError: TSB dimension differs from the teacher's embedding
            dimension or the neck's output, or the neck's ``num_classes``
            differs from the number of TSB rows.
    """

    def __init__(self, backbone: dict, neck: dict, head: dict,
                 target_generator: dict, tsb: Union[dict, nn.Module],
                 data_preprocessor: Optional[dict] = None,
                 zero_shot_scale: float = 100.0,
                 init_cfg: Optional[dict] = None):
        tsb = MODELS.build(tsb) if isinstance(tsb, dict) else tsb
        neck = with_tsb_shape(neck, tsb)
        super().__init__(backbone=backbone, neck=neck, head=head,
                         target_generator=target_generator,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.tsb = tsb
        self.zero_shot_scale = zero_shot_scale
        self.predict_teacher = False
        teacher_dim = getattr(self.target_generator, 'embed_dim', None)
        if teacher_dim is not None and teacher_dim != self.tsb.dim:
            raise ValueError(
                f'TSB dimension {self.tsb.dim} != teacher embedding dimension '
                f'{teacher_dim}: the text encoder must share the teacher\'s '
                'space (e.g. the same CLIP model for both, or the encoder '
                'the text-aligned teacher was trained with).')
        if (self.neck.out_channels, self.neck.num_classes) != (
                self.tsb.dim, self.tsb.num_classes):
            raise ValueError(
                f'LGKANeck(out_channels={self.neck.out_channels}, '
                f'num_classes={self.neck.num_classes}) does not match the '
                f'TSB ({self.tsb.num_classes} classes x {self.tsb.dim} dims): '
                'set the neck to the TSB shape.')

    def loss(self, inputs: List[torch.Tensor],
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """One LGD step. Labels are never read.

        Args:
            inputs (list[Tensor]): one view (B, 3, H, W) (the first is used;
                teacher and student see the same view).
            data_samples (list[DataSample]): passed to the teacher only when
                it reads them (a :class:`CachedTeacher` looks ``z_T`` up by
                the samples' cache index and view).

        Returns:
            dict: ``loss_tex``, ``loss_vis`` (weighted), ``agree_tsb``.
        """
        x = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        z_t = self.teacher_embed(x, data_samples)
        z_s = self.embed(x)
        tsb = self.tsb.weight
        losses = self.head.loss(z_s, z_t, tsb, self.neck.vsb)
        self.neck.update_vsb(z_t, tsb)
        return losses

    def forward(self, inputs: Union[torch.Tensor, List[torch.Tensor]],
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        """mmpretrain's modes ``'tensor'`` / ``'loss'`` plus ``'predict'``
        (zero-shot, :meth:`predict`) for mmengine's val/test loops."""
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        return super().forward(inputs, data_samples, mode)

    @torch.no_grad()
    def predict(self, inputs: Union[torch.Tensor, List[torch.Tensor]],
                data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        """Zero-shot classification of the student through the TSB.

        Args:
            inputs (Tensor | list[Tensor]): (B, 3, H, W) images, or a list
                whose first item is (the ``SelfSupDataPreprocessor`` output).
            data_samples (list[DataSample], optional): filled in place.

        Returns:
            list[DataSample]: ``pred_score`` = softmax of
            ``zero_shot_scale * z_S L^T`` (B, K), ``pred_label``; with
            ``predict_teacher`` also ``teacher_pred_score`` (same with
            ``z_T``).
        """
        x = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        scores = self._zero_shot_scores(self.embed(x))
        teacher = (self._zero_shot_scores(self.teacher_embed(x))
                   if self.predict_teacher else None)
        if data_samples is None:
            data_samples = [DataSample() for _ in range(scores.size(0))]
        for i, ds in enumerate(data_samples):
            ds.set_pred_score(scores[i]).set_pred_label(
                scores[i].argmax(dim=0, keepdim=True))
            if teacher is not None:
                ds.set_field(teacher[i], 'teacher_pred_score',
                             field_type='data')
        return data_samples

    def _zero_shot_scores(self, z: torch.Tensor) -> torch.Tensor:
        """(B, D) unit embeddings -> (B, K) softmax of ``s * z L^T``."""
        return torch.softmax(self.zero_shot_scale * self.tsb(z).float(), 1)

