"""The frozen teacher's zero-shot accuracy, measured once per LGD run."""
from typing import Dict, Optional, Sequence

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from .zero_shot_check_hook import cap_topk

META_KEY = 'teacher_zero_shot'


@HOOKS.register_module()
class TeacherZeroShotHook(Hook):
    """Teacher zero-shot top-k on the val set, once, next to the student's.

    The authors log the zero-shot top-1 of both student and teacher through
    the TSB at every validation (github.com/mZhenz/LGD, ``main.py``). The
    teacher is frozen, so its number cannot change: this hook measures it
    during the first validation of a run only, by setting the model's
    ``predict_teacher`` flag (:meth:`LGD.predict` then adds
    ``teacher_pred_score`` to each data sample), counting top-k hits per
    batch and all-reducing the counts over ranks. The result is logged like
    any val metric (``val/teacher_zero_shot/top1``...), added to that
    validation's ``metrics`` dict, and stored in checkpoints'
    ``meta['teacher_zero_shot']``, so a resumed run does not measure again.
    A model without ``predict_teacher`` is left alone; a teacher read from a
    teacher-embedding cache (:class:`CachedTeacher`, which has no embedding
    of the val images) is skipped, and the log says so. Any k above the
    TSB's K is capped at K (logged). In distributed runs
    the counts include the few images a padding sampler repeats to even out
    the ranks (mmengine's ``Evaluator`` drops those for the student's
    numbers), so the two may differ by up to ``world_size - 1`` images.

    Args:
        topk (Sequence[int]): the k of top-k accuracy (%), default (1, 5);
            capped at the TSB's K.
        prefix (str): metric name prefix.
    """

    priority = 'NORMAL'  # after RuntimeInfoHook, before LoggerHook

    def __init__(self, topk: Sequence[int] = (1, 5),
                 prefix: str = 'teacher_zero_shot'):
        self.topk = tuple(topk)
        self.prefix = prefix
        self.result: Optional[Dict[str, float]] = None
        self._hits: Optional[torch.Tensor] = None

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_val_epoch(self, runner) -> None:
        model = self._model(runner)
        active = self.result is None and hasattr(model, 'predict_teacher')
        if active and getattr(getattr(model, 'target_generator', None),
                              'reads_data_samples', False):
            self.result = {}  # once per run, like a measurement
            runner.logger.info(
                'Teacher zero-shot: skipped, the teacher is a teacher-'
                f'embedding cache ({type(model.target_generator).__name__}),'
                ' which holds the training views only, not the val images.')
            return
        if active:
            k = model.tsb.num_classes
            capped = cap_topk(self.topk, k)
            if capped != self.topk:
                runner.logger.warning(
                    f'Teacher zero-shot: topk={self.topk} capped at the '
                    f"TSB's K={k}: topk={capped}.")
                self.topk = capped
            model.predict_teacher = True
            self._hits = torch.zeros(len(self.topk) + 1, dtype=torch.float64)

    def after_val_iter(self, runner, batch_idx: int, data_batch=None,
                       outputs=None) -> None:
        if self._hits is None or not outputs:
            return
        scores = torch.stack([ds.teacher_pred_score for ds in outputs])
        labels = torch.cat([ds.gt_label for ds in outputs]).to(scores.device)
        top = scores.topk(max(self.topk), dim=1).indices
        hit = top == labels.unsqueeze(1)
        for i, k in enumerate(self.topk):
            self._hits[i] += hit[:, :k].any(dim=1).sum().item()
        self._hits[-1] += len(labels)

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        if self._hits is None:
            return
        hits, self._hits = self._hits, None
        self._model(runner).predict_teacher = False
        if get_world_size() > 1:
            all_reduce(hits)
        total = max(hits[-1].item(), 1.0)
        self.result = {f'{self.prefix}/top{k}': 100.0 * hits[i].item() / total
                       for i, k in enumerate(self.topk)}
        for name, value in self.result.items():
            runner.message_hub.update_scalar(f'val/{name}', value)
        if metrics is not None:
            metrics.update(self.result)
        runner.logger.info(f'Teacher zero-shot (measured once): '
                           f'{self.result}')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.result:
            checkpoint.setdefault('meta', {})[META_KEY] = dict(self.result)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        saved = checkpoint.get('meta', {}).get(META_KEY)
        if saved:
            self.result = dict(saved)
