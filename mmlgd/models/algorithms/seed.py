"""SEED (self-supervised distillation with an instance queue) as an
mmpretrain self-supervised algorithm, sharing LGD's teacher, student and
projector."""
from typing import Dict, List, Optional, Union

import torch
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

from .base import BaseDistiller, with_default


@MODELS.register_module()
class SEED(BaseDistiller):
    """SEED: Self-supervised Distillation for Visual Representation (Fang et
    al., ICLR 2021, arXiv:2101.04731), with the teacher, student, projector
    and data pipeline of :class:`LGD`.

    Per step, on one augmented view ``x`` (B, 3, H, W), as in the reference
    (``seed/builder.py``): ``z_T = teacher(x)`` (frozen, no autograd graph),
    ``z_S = neck(backbone(x))``, the loss of :class:`SEEDHead` against the
    queue as it was before this step, then the teacher embeddings of all
    ranks are enqueued (:class:`EmbeddingQueue`). No text is used.

    Args:
        backbone (dict): the student (any mmpretrain backbone).
        neck (dict): :class:`StudentProjector`; ``out_channels`` defaults to
            the teacher's embedding dimension.
        head (dict): :class:`SEEDHead`.
        target_generator (dict): the frozen teacher
            (:class:`OpenCLIPVisionTeacher` or :class:`TextAlignedTeacher`).
        queue (dict): :class:`EmbeddingQueue`; ``dim`` defaults to the
            teacher's embedding dimension.
        data_preprocessor (dict, optional): defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): mmengine init config.

    Teacher handling, the student embedding and checkpoints without the
    teacher come from :class:`BaseDistiller`: checkpoints hold the student,
    the projector, the queue (``queue.embeddings``, ``queue.ptr``) and the
    training state.

    Raises:
        ValueError: the queue's or the projector's dimension differs from
            the teacher's embedding dimension.
    """

    def __init__(self, backbone: dict, neck: dict, head: dict,
                 target_generator: Union[dict, nn.Module],
                 queue: Union[dict, nn.Module],
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        teacher = self.build_teacher(target_generator)
        dim = getattr(teacher, 'embed_dim', None)
        super().__init__(backbone=backbone,
                         neck=with_default(neck, 'out_channels', dim),
                         head=head, target_generator=teacher,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.build_queue(queue, dim)

    def loss(self, inputs: List[torch.Tensor],
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """One SEED step on the first view (B, 3, H, W) of ``inputs``,
        seen by teacher and student alike as in the reference; labels in
        ``data_samples`` are never read.

        Returns:
            dict: ``loss_seed`` and ``agree_pos`` (see :class:`SEEDHead`).
        """
        x = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        z_t = self.teacher_embed(x, data_samples)
        z_s = self.embed(x)
        # The loss keeps the pre-enqueue queue for its backward pass; the
        # enqueue then writes the buffer in place (one copy per step).
        losses = self.head.loss(z_s, z_t, self.queue.embeddings.clone())
        self.queue.enqueue(z_t)
        return losses
