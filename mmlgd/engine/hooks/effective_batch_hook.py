"""Log the effective batch size and the learning rate it implies; refuse a
training split that yields no batch."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class EffectiveBatchHook(Hook):
    """At ``before_train``, log ``world_size x batch_size`` and the lr.

    The paper's recipe scales the lr with the total batch
    (``lr = 0.03 x batch / 256``); a run on fewer devices, or with
    ``--auto-scale-lr``, silently changes one or the other. The logged line
    gives the processes, the per-process batch, their product, the base lr
    (after ``auto_scale_lr``, before warm-up) and the current lr of the
    first parameter group, and the base lr per 256 images. The same values
    go to the message hub's runtime info (``effective_batch_size``,
    ``base_lr``) for tools and tests.

    It also stops a run whose training split yields no batch (an empty
    split, or fewer samples than one batch with ``drop_last=True``): mmengine
    would otherwise finish an epoch-based run without a single step, or
    stop an iteration-based one with a bare ``StopIteration``.

    Registered in mmengine's root ``HOOKS``:
    ``custom_hooks=[dict(type='EffectiveBatchHook')]``.

    Raises:
        ValueError: the training dataloader has no batch.
    """

    def before_train(self, runner) -> None:
        world = runner.world_size
        loader = runner.train_dataloader
        per_rank = loader.batch_size or loader.batch_sampler.batch_size
        total = world * per_rank
        if len(loader) == 0:
            raise ValueError(
                f'The training split yields no batch: {len(loader.dataset)} '
                f'sample(s) for a batch of {per_rank} per process x {world} '
                f'process(es) (drop_last={loader.drop_last}). Check the '
                'dataset path / ann_file / split, or lower '
                'train_dataloader.batch_size.')
        group = runner.optim_wrapper.param_groups[0]
        base_lr = group.get('initial_lr', group['lr'])
        scale = runner.auto_scale_lr or {}
        scaled = ('on, base_batch_size='
                  f'{scale.get("base_batch_size")}' if scale.get('enable')
                  else 'off')
        for key, value in (('effective_batch_size', total),
                           ('base_lr', base_lr)):
            runner.message_hub.update_info(key, value, resumed=False)
        runner.logger.info(
            f'Effective batch size {total} = {world} process(es) x '
            f'{per_rank} per process; base lr {base_lr:.6g} '
            f'({base_lr * 256 / total:.6g} per 256 images), current lr '
            f'{group["lr"]:.6g}; auto_scale_lr {scaled}.')
