"""Check, before a run starts, that zero-shot evaluation can be right."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from mmlgd.models.text.label_match import check_labels_match_tsb


def cap_topk(topk, k: int) -> tuple:
    """``topk`` with every value above ``k`` lowered to ``k`` (repeats
    dropped, order kept): (1, 5) with K=4 -> (1, 4); K=1 -> (1,)."""
    out = []
    for t in (topk if isinstance(topk, (tuple, list)) else (topk, )):
        t = min(int(t), k)
        if t not in out:
            out.append(t)
    return tuple(out)


@HOOKS.register_module()
class ZeroShotCheckHook(Hook):
    """Before the first iteration of a run whose model has a TSB
    (``model.tsb``: :class:`ZeroShotClassifier`, :class:`LGD`), for its
    validation and test loops:

    * labels vs TSB rows: the loop's dataset must label its images with the
      TSB's row order (:func:`mmlgd.models.text.label_match.
      check_labels_match_tsb`; ValueError otherwise, naming the fix);
    * top-k below K: every ``topk`` of the loop's metrics (mmpretrain's
      ``Accuracy``) above the TSB's K is capped at K, and the log says so
      (mmpretrain refuses "Top-5 accuracy is unavailable" after the
      evaluation ran; :class:`TeacherZeroShotHook` caps its own).

    ``tools/train.py`` and ``tools/test.py`` add it to every run
    (:func:`mmlgd.apis.runner_setup.build_runner`); a model without a TSB
    is left alone.
    """

    priority = 'VERY_HIGH'  # before any loop runs

    def before_run(self, runner) -> None:
        from mmengine.runner.loops import BaseLoop
        model = runner.model
        model = model.module if is_model_wrapper(model) else model
        tsb = getattr(model, 'tsb', None)
        classes = getattr(tsb, 'classes', None)
        if not classes:
            return
        for attr, what in (('_val_loop', 'zero-shot validation'),
                           ('_test_loop', 'zero-shot test')):
            loop = getattr(runner, attr, None)
            if not isinstance(loop, BaseLoop):
                continue
            runner.logger.info(check_labels_match_tsb(
                loop.dataloader.dataset, classes, what))
            for metric in getattr(getattr(loop, 'evaluator', None),
                                  'metrics', []):
                topk = getattr(metric, 'topk', None)
                if topk is None:
                    continue
                capped = cap_topk(topk, len(classes))
                if capped != tuple(topk if isinstance(topk, (tuple, list))
                                   else (topk, )):
                    runner.logger.warning(
                        f'{what}: {type(metric).__name__} topk={topk} '
                        f'capped at the TSB\'s K={len(classes)}: topk='
                        f'{capped}.')
                    metric.topk = capped
