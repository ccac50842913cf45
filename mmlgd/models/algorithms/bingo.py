"""BINGO (bag-of-instances distillation) as an mmpretrain self-supervised
algorithm, sharing LGD's teacher, student and projector."""
import math
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

from .base import BaseDistiller, with_default

#: When the reference switches the bag term on: ``epoch > 10`` (0-based) of
#: 200 (haohang96/bingo ``main_moco.py`` lines 374-378), i.e. after 11/200
#: of the run.
REFERENCE_BAG_START = 11 / 200


def mix_images(image: torch.Tensor, bag: torch.Tensor,
               boxes: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """CutMix per sample: the pixels of ``bag`` inside sample ``i``'s box
    replace those of ``image`` (reference ``utils.py`` lines 38-47).

    Args:
        image (Tensor): (B, C, H, W).
        bag (Tensor): (B, C, H, W), the neighbours.
        boxes (Tensor): (B, 4) int ``(y1, y2, x1, x2)``, end exclusive.

    Returns:
        tuple: the (B, C, H, W) mixed images and the (B,) share ``r`` of
        each that is ``image``.
    """
    h, w = image.shape[-2:]
    ys = torch.arange(h, device=image.device)
    xs = torch.arange(w, device=image.device)
    y1, y2, x1, x2 = boxes.to(image.device).unbind(1)
    inside = ((ys >= y1[:, None]) & (ys < y2[:, None]))[:, :, None] & \
        ((xs >= x1[:, None]) & (xs < x2[:, None]))[:, None, :]
    mixed = torch.where(inside[:, None], bag, image)
    ratio = 1 - inside.flatten(1).float().mean(1)
    return mixed, ratio


@MODELS.register_module()
class BINGO(BaseDistiller):
    """BINGO: Bag of Instances Aggregation Boosts Self-supervised
    Distillation (Xu et al., ICLR 2022, arXiv:2107.01691), with the teacher,
    student, projector and augmentation of :class:`LGD`.

    Per step, on the four views of :class:`BagOfInstancesDataset` (image:
    student view, teacher view; neighbour: student view, teacher view), as
    the reference (``moco/builder.py`` lines 130-197): the student embeds
    the image ``q``, the neighbour ``p`` and their CutMix ``m`` (three
    forwards, as the reference); the frozen teacher embeds the image ``k``
    and the neighbour ``k'``; :class:`BINGOHead` computes the loss against
    the queue as it was before this step; then the teacher embeddings ``k``
    of all ranks are enqueued (:class:`EmbeddingQueue`). No text is used.

    The bag term switches on at iteration ``ceil(bag_start * max_iters)``
    (0-based): the reference's ``epoch > 10`` of 200 epochs scaled to the
    run's length (:func:`bag_weight_at`); the iteration and ``max_iters``
    are read from mmengine's ``MessageHub`` (set by the Runner).

    Args:
        backbone (dict): the student (any mmpretrain backbone).
        neck (dict): :class:`StudentProjector`; ``out_channels`` defaults to
            the teacher's embedding dimension.
        head (dict): :class:`BINGOHead`.
        target_generator (dict): the frozen online teacher
            (:class:`OpenCLIPVisionTeacher` or :class:`TextAlignedTeacher`).
        queue (dict): :class:`EmbeddingQueue`; ``dim`` defaults to the
            teacher's embedding dimension.
        bag_weight (float): weight ``w`` of the bag term once on (reference
            ``--lam 0.5,0.5``).
        bag_start (float): share of the run before the bag term is on
            (reference 11/200).
        data_preprocessor (dict, optional): defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): mmengine init config.

    Raises:
        ValueError: dimensions differ from the teacher's, ``bag_weight`` or
            ``bag_start`` outside [0, 1], or a cached teacher (BINGO embeds
            the neighbours' views, which a cache does not hold).
    """

    def __init__(self, backbone: dict, neck: dict, head: dict,
                 target_generator: Union[dict, nn.Module],
                 queue: Union[dict, nn.Module], bag_weight: float = 0.5,
                 bag_start: float = REFERENCE_BAG_START,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        teacher = self.build_teacher(target_generator)
        if getattr(teacher, 'reads_data_samples', False):
            raise ValueError(
                'BINGO needs an online teacher (it embeds the neighbours\' '
                f'views too); {type(teacher).__name__} reads a cache of the '
                'images\' views only: use the config\'s online teacher.')
        if not (0 <= bag_weight <= 1 and 0 <= bag_start <= 1):
            raise ValueError(f'BINGO bag_weight and bag_start must be in '
                             f'[0, 1], got {bag_weight} and {bag_start}.')
        dim = getattr(teacher, 'embed_dim', None)
        super().__init__(backbone=backbone,
                         neck=with_default(neck, 'out_channels', dim),
                         head=head, target_generator=teacher,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.build_queue(queue, dim)
        self.bag_weight = bag_weight
        self.bag_start = bag_start

    def bag_weight_at(self, cur_iter: int, max_iters: int) -> float:
        """``w`` at 0-based iteration ``cur_iter`` of ``max_iters``:
        ``bag_weight`` from ``ceil(bag_start * max_iters)`` on, 0 before.
        For 200 epochs of ``n`` iterations that is iteration ``11 n``, the
        first of the reference's epoch 11."""
        start = math.ceil(self.bag_start * max_iters - 1e-9)
        return self.bag_weight if cur_iter >= start else 0.0

    def current_bag_weight(self) -> float:
        """``w`` for the Runner's current iteration (``MessageHub`` ``iter``
        and ``max_iters``).

        Raises:
            RuntimeError: the hub has no ``max_iters`` (not run by a
                Runner; set both with ``MessageHub.update_info``).
        """
        hub = MessageHub.get_current_instance()
        cur, total = hub.get_info('iter'), hub.get_info('max_iters')
        if cur is None or total is None:
            raise RuntimeError(
                'BINGO switches its bag term on by training progress and '
                'reads it from the MessageHub (iter, max_iters), which '
                'mmengine\'s Runner fills: train it through the Runner, or '
                'set both with MessageHub.get_current_instance().'
                'update_info.')
        return self.bag_weight_at(int(cur), int(total))

    def loss(self, inputs: List[torch.Tensor],
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """One BINGO step; labels in ``data_samples`` are never read.

        Args:
            inputs (list[Tensor]): four (B, 3, H, W) views: image (student,
                teacher), neighbour (student, teacher).
            data_samples (list[DataSample]): with ``cutmix_box`` metainfo.

        Returns:
            dict: see :meth:`BINGOHead.loss`.

        Raises:
            ValueError: not four views, or samples without ``cutmix_box``
                (train it on :class:`BagOfInstancesDataset`).
        """
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 4 or \
                not data_samples or \
                'cutmix_box' not in data_samples[0].metainfo:
            raise ValueError(
                'BINGO needs 4 views per sample (image and neighbour, each '
                'a student and a teacher view) and a cutmix_box per sample: '
                'wrap the training set in BagOfInstancesDataset with a '
                'pipeline of MultiView(num_views=2), as configs/bingo/ do.')
        x_q, x_k, n_q, n_k = inputs
        boxes = torch.tensor([s.cutmix_box for s in data_samples])
        mixed, ratio = mix_images(x_q, n_q, boxes)
        w = self.current_bag_weight()
        k, k_bag = self.teacher_embed(torch.cat([x_k, n_k])).chunk(2)
        q, p, m = self.embed(x_q), self.embed(n_q), self.embed(mixed)
        losses = self.head.loss(q, p, m, k, k_bag,
                                self.queue.embeddings.clone(),
                                ratio.to(q.device), w)
        self.queue.enqueue(k)
        return losses
