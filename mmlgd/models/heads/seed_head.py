"""SEED head: similarity-distribution distillation over an instance queue."""
from typing import Dict, Optional

import torch
from mmpretrain.registry import MODELS

from .lgd_head import LGDHead


@MODELS.register_module()
class SEEDHead(LGDHead):
    """SEED loss (Fang et al., ICLR 2021, Sec. 3, Eq. 3-4; reference
    ``seed/builder.py`` ``forward`` and ``tools/utils.py``
    ``soft_cross_entropy``).

    With unit embeddings ``z_S`` (student), ``z_T`` (teacher) and the queue
    ``Q`` (K, D) as it was *before* this step's enqueue:

    * student logits ``[<z_S, z_T>, z_S Q^T] / tau_s`` (B, K+1);
    * teacher target ``softmax([<z_T, z_T>, z_T Q^T] / tau_t)`` (B, K+1);
    * ``loss = -(1/B) sum_i sum_j t_ij log softmax(s_i)_j``.

    This is exactly LGD's visual term with the VSB replaced by the queue
    (LGD built its visual term on SEED), so the logits come from
    :meth:`LGDHead.visual_logits`.

    Args:
        student_temp (float): ``tau_s`` (reference ``--temp`` 0.2).
        teacher_temp (float): ``tau_t`` (reference ``--distill-t`` 1e-4).
        loss (dict): soft cross-entropy config.
        init_cfg (dict, optional): mmengine init config.

    Raises:
        ValueError: a temperature <= 0.
    """

    def __init__(self, student_temp: float = 0.2, teacher_temp: float = 1e-4,
                 loss: dict = dict(type='CrossEntropyLoss', use_soft=True),
                 init_cfg: Optional[dict] = None):
        if student_temp <= 0 or teacher_temp <= 0:
            raise ValueError(
                'SEEDHead temperatures must be > 0, got '
                f'student_temp={student_temp} teacher_temp={teacher_temp}: '
                'use the reference values 0.2 and 1e-4 or other positive '
                'ones.')
        super().__init__(student_temp=student_temp,
                         teacher_temp=teacher_temp, w_tex=0.0, w_vis=1.0,
                         loss=loss, init_cfg=init_cfg)

    def loss(self, z_s: torch.Tensor, z_t: torch.Tensor,
             queue: torch.Tensor) -> Dict[str, torch.Tensor]:
        """SEED loss for one batch.

        Args:
            z_s (Tensor): (B, D) unit student embeddings (with grad).
            z_t (Tensor): (B, D) unit teacher embeddings (no grad).
            queue (Tensor): (K, D) queue before this step's enqueue.

        Returns:
            dict: ``loss_seed`` and ``agree_pos``, the fraction of samples
            whose student puts its largest logit on the positive.
        """
        s, t = self.visual_logits(z_s, z_t, queue)
        with torch.no_grad():
            agree = (s.argmax(1) == 0).float().mean()
        return dict(loss_seed=self._soft_ce(s, t), agree_pos=agree)
