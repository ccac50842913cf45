"""Log the effective batch size and the learning rate it implies."""
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

    Registered in mmengine's root ``HOOKS``:
    ``custom_hooks=[dict(type='EffectiveBatchHook')]``.
    """

    def before_train(self, runner) -> None:
        world = runner.world_size
        loader = runner.train_dataloader
        per_rank = loader.batch_size or loader.batch_sampler.batch_size
        total = world * per_rank
        group = runner.optim_wrapper.param_groups[0]
        base_lr = group.get('initial_lr', group['lr'])
        scale = runner.auto_scale_lr or {}
        scaled = ('on, base_batch_size='
                  f'{scale.get("base_batch_size")}' if scale.get('enable')
                  else 'off')
        runner.message_hub.update_info('effective_batch_size', total)
        runner.message_hub.update_info('base_lr', base_lr)
        runner.logger.info(
            f'Effective batch size {total} = {world} process(es) x '
            f'{per_rank} per process; base lr {base_lr:.6g} '
            f'({base_lr * 256 / total:.6g} per 256 images), current lr '
            f'{group["lr"]:.6g}; auto_scale_lr {scaled}.')
