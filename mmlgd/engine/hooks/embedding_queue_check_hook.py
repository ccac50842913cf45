"""Refuse, before the first step, a queue that does not hold a whole number
of global batches."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class EmbeddingQueueCheckHook(Hook):
    """At ``before_train``, check every :class:`EmbeddingQueue` of the
    model against the global batch ``world_size x batch_size``, and that
    every step brings a full batch: a short last batch would break the
    multiple-of-batch rule, and ranks with different batch sizes cannot
    gather their embeddings.

    The model is built before the dataloader and the process group size is
    known, so this is the earliest point the check can run; the queue
    repeats it at every enqueue.

    Registered in mmengine's root ``HOOKS``:
    ``custom_hooks=[dict(type='EmbeddingQueueCheckHook')]``.

    Raises:
        ValueError: a queue size is not a multiple of the global batch
            (:meth:`EmbeddingQueue.check_batch`), or a finite sampler with
            ``drop_last=False`` leaves a short last batch.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        from mmengine.dataset import InfiniteSampler

        from mmlgd.models.necks import EmbeddingQueue
        model = getattr(runner.model, 'module', runner.model)
        queues = [m for m in model.modules() if isinstance(m, EmbeddingQueue)]
        if not queues:
            return
        loader = runner.train_dataloader
        per_rank = loader.batch_size or loader.batch_sampler.batch_size
        for queue in queues:
            queue.check_batch(runner.world_size * per_rank)
        sampler = loader.sampler
        short = 0 if isinstance(sampler, InfiniteSampler) else len(
            sampler) % per_rank
        if short and not getattr(loader, 'drop_last', True):
            raise ValueError(
                f'The last batch of each epoch would hold {short} instead of '
                f'{per_rank} samples per process, which the embedding queue '
                'cannot take: set train_dataloader.drop_last=True.')
