"""LGD head: language-aware knowledge transfer loss."""
from typing import Dict, Optional

import torch
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class LGDHead(BaseModule):
    """Similarity-distribution distillation over the TSB and the VSB
    (LGD paper, Sec. 3.4).

    With unit embeddings ``z_S`` (student) and ``z_T`` (teacher), TSB ``L``
    (K, D) and VSB ``V`` (K, D):

    * textual: student logits ``z_S L^T / tau_s``; teacher target
      ``softmax(z_T L^T / tau_t)``;
    * visual: student logits ``[<z_S, z_T>, z_S V^T] / tau_s`` (B, K+1);
      teacher target ``softmax([1, z_T V^T] / tau_t)``;
    * ``loss = w_tex * CE(s_tex, t_tex) + w_vis * CE(s_vis, t_vis)`` with the
      soft cross-entropy ``CE(s, t) = -(1/B) sum_i sum_k t_ik
      log softmax(s_i)_k`` (``loss`` module, mmpretrain's soft CE).

    ``w_tex = 0`` gives the image-only ablation, ``w_vis = 0`` the text-only
    one; a term with weight 0 is not computed.

    Args:
        student_temp (float): ``tau_s`` (paper 0.2).
        teacher_temp (float): ``tau_t`` (paper 0.01).
        w_tex (float): weight of the textual term (paper 0.5).
        w_vis (float): weight of the visual term (paper 0.5).
        loss (dict): soft cross-entropy config.

    Raises:
        ValueError: non-positive temperatures, negative weights, or both
            weights zero.
    """

    def __init__(self, student_temp: float = 0.2, teacher_temp: float = 0.01,
                 w_tex: float = 0.5, w_vis: float = 0.5,
                 loss: dict = dict(type='CrossEntropyLoss', use_soft=True),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if student_temp <= 0 or teacher_temp <= 0:
            raise ValueError('LGDHead temperatures must be > 0, got '
                             f'student={student_temp} teacher={teacher_temp}.')
        if w_tex < 0 or w_vis < 0 or w_tex + w_vis == 0:
            raise ValueError('LGDHead weights must be >= 0 and not both 0, '
                             f'got w_tex={w_tex} w_vis={w_vis}.')
        self.student_temp = student_temp
        self.teacher_temp = teacher_temp
        self.w_tex = w_tex
        self.w_vis = w_vis
        self.loss_module = MODELS.build(loss)

    def _soft_ce(self, logits: torch.Tensor,
                 target: torch.Tensor) -> torch.Tensor:
        return self.loss_module(logits.float(), target.float())

    def textual_logits(self, z_s, z_t, tsb):
        """(B, K) student logits and (B, K) teacher probabilities."""
        tsb = tsb.to(z_s.dtype)
        s = z_s @ tsb.T / self.student_temp
        t = torch.softmax((z_t.to(tsb.dtype) @ tsb.T).float() /
                          self.teacher_temp, dim=1)
        return s, t

    def visual_logits(self, z_s, z_t, vsb):
        """(B, K+1) student logits and teacher probabilities; column 0 is
        the positive pair ``<z_S, z_T>`` (teacher: ``<z_T, z_T> = 1``)."""
        z_t = z_t.to(z_s.dtype)
        vsb = vsb.to(z_s.dtype)
        pos = (z_s * z_t).sum(dim=1, keepdim=True)
        s = torch.cat([pos, z_s @ vsb.T], dim=1) / self.student_temp
        t_pos = (z_t * z_t).sum(dim=1, keepdim=True)
        t = torch.softmax(
            torch.cat([t_pos, z_t @ vsb.T], dim=1).float() /
            self.teacher_temp, dim=1)
        return s, t

    def loss(self, z_s: torch.Tensor, z_t: torch.Tensor, tsb: torch.Tensor,
             vsb: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Loss terms for one batch.

        Args:
            z_s (Tensor): (B, D) unit student embeddings (with grad).
            z_t (Tensor): (B, D) unit teacher embeddings (no grad).
            tsb (Tensor): (K, D) TSB ``L``.
            vsb (Tensor): (K, D) VSB ``V`` *before* this step's update.

        Returns:
            dict: ``loss_tex`` and/or ``loss_vis`` (already weighted; their
            sum is the paper's loss) and ``agree_tsb``, the fraction of
            samples whose student and teacher top-1 over the TSB agree.
        """
        losses = {}
        s_tex, t_tex = self.textual_logits(z_s, z_t, tsb)
        if self.w_tex > 0:
            losses['loss_tex'] = self.w_tex * self._soft_ce(s_tex, t_tex)
        if self.w_vis > 0:
            s_vis, t_vis = self.visual_logits(z_s, z_t, vsb)
            losses['loss_vis'] = self.w_vis * self._soft_ce(s_vis, t_vis)
        with torch.no_grad():
            losses['agree_tsb'] = (s_tex.argmax(1) == t_tex.argmax(1)).float(
            ).mean()
        return losses
