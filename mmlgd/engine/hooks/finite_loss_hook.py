"""Stop training at the first non-finite loss, before it is checkpointed."""
import math

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


def _non_finite(outputs) -> dict:
    """``{name: value}`` of the outputs that are NaN or infinite."""
    bad = {}
    for name, value in (outputs or {}).items():
        if isinstance(value, torch.Tensor):
            value = value.detach().float()
            if not bool(torch.isfinite(value).all()):
                bad[name] = value.flatten()[:4].tolist()
        elif isinstance(value, (int, float)) and not math.isfinite(value):
            bad[name] = value
    return bad


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise when a training iteration's outputs (``loss``, ``loss_tex``,
    ``loss_vis``...) are not finite.

    The optimizer step of that iteration has already happened when
    ``after_train_iter`` runs, so the weights (and, in LGD, the VSB) may be
    corrupt. The hook therefore runs before :class:`CheckpointHook`
    (priority ``ABOVE_NORMAL`` vs. ``VERY_LOW``): the run stops with an
    error naming the iteration and the values, and no checkpoint of the
    corrupt state is written; the last good checkpoint stays the latest one
    for ``--resume``. In distributed runs the verdict is all-reduced, so
    every rank stops at the same iteration (a rank with finite losses would
    otherwise save weights that the shared gradients already corrupted).

    Not built on mmdet's ``CheckInvalidLossHook``: that hook checks only
    ``outputs['loss']``, every ``interval`` (default 50) iterations, with a
    bare ``assert`` (skipped under ``python -O``) and no cross-rank
    verdict; all this hook would inherit is the ``interval`` argument while
    overriding its only method, and importing it would make ``import
    mmlgd`` load mmdet for mmpretrain-only runs.

    Registered in mmengine's root ``HOOKS``:
    ``custom_hooks=[dict(type='FiniteLossHook')]``.

    Raises:
        FloatingPointError: some output of iteration ``runner.iter + 1``
            (1-based, as in the logs) is NaN or infinite.
    """

    priority = 'ABOVE_NORMAL'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        bad = _non_finite(outputs)
        if get_world_size() > 1:
            flag = torch.tensor([float(bool(bad))])
            all_reduce(flag)
            if flag.item() > 0 and not bad:
                bad = {'(another rank)': 'non-finite'}
        if bad:
            raise FloatingPointError(
                f'Non-finite training outputs at iteration {runner.iter + 1}'
                f' (epoch {runner.epoch + 1}): {bad}. Training stopped '
                'before this state was checkpointed. Lower the learning '
                'rate, check the data and the teacher/TSB, then resume from '
                'the last checkpoint in the work dir (`--resume`).')
