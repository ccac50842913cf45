"""Refuse, before the first step, a queue that does not hold a whole number
of global batches."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class EmbeddingQueueCheckHook(Hook):
    """At ``before_train``, check every :class:`EmbeddingQueue` of the
    model against the global batch ``world_size x batch_size``.

    The model is built before the dataloader and the process group size is
    known, so this is the earliest point the check can run; the queue
    repeats it at every enqueue.

    Registered in mmengine's root ``HOOKS``:
    ``custom_hooks=[dict(type='EmbeddingQueueCheckHook')]``.

    Raises:
        ValueError: a queue size is not a multiple of the global batch
            (:meth:`EmbeddingQueue.check_batch`).
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        from mmlgd.models.necks import EmbeddingQueue
        loader = runner.train_dataloader
        per_rank = loader.batch_size or loader.batch_sampler.batch_size
        model = getattr(runner.model, 'module', runner.model)
        for module in model.modules():
            if isinstance(module, EmbeddingQueue):
                module.check_batch(runner.world_size * per_rank)
