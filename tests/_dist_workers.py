"""Code that runs inside the processes of the distributed tests: an LGKA
worker for ``torch.multiprocessing.spawn`` and a hook that dumps each rank's
bank after a ``tools/dist_train.sh`` run (``custom_imports`` this module)."""
import os.path as osp
import types

import torch
import torch.distributed as dist
import torch.nn.functional as F
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

K, D, B, STEPS = 7, 16, 5, 4


def lgka_data(world_size):
    """TSB (K, D) and per step a list of (B, D) teacher embeddings, one per
    rank. Rank r draws near categories r .. r+3, so some categories occur on
    one rank only and others on both."""
    g = torch.Generator().manual_seed(1234)
    tsb = F.normalize(torch.randn(K, D, generator=g), dim=1)
    steps = []
    for _ in range(STEPS):
        per_rank = []
        for rank in range(world_size):
            cats = rank + torch.randint(0, 4, (B, ), generator=g)
            noise = 0.05 * torch.randn(B, D, generator=g)
            per_rank.append(F.normalize(tsb[cats] + noise, dim=1))
        steps.append(per_rank)
    return tsb, steps


def new_neck():
    from mmlgd.models import LGKANeck
    torch.manual_seed(0)  # identical random initial bank everywhere
    return LGKANeck(in_channels=8, out_channels=D, num_classes=K,
                    momentum=0.9)


def lgka_worker(rank, world_size, init_file, out_dir):
    """Several LGKA steps on rank-specific data, then one FiniteLossHook
    check where only rank 1 sees a NaN; results go to ``rank{r}.pt``."""
    from mmlgd.engine.hooks import FiniteLossHook
    dist.init_process_group('gloo', init_method=f'file://{init_file}',
                            rank=rank, world_size=world_size)
    try:
        neck = new_neck()
        tsb, steps = lgka_data(world_size)
        labels = [neck.update_vsb(z[rank], tsb) for z in steps]
        runner = types.SimpleNamespace(iter=4, epoch=0)
        loss = torch.tensor(float('nan') if rank == 1 else 1.0)
        try:
            FiniteLossHook().after_train_iter(runner, 0,
                                              outputs=dict(loss=loss))
            error = None
        except FloatingPointError as err:
            error = str(err)
        torch.save(dict(vsb=neck.vsb, init=neck.vsb_initialized,
                        labels=labels, error=error),
                   osp.join(out_dir, f'rank{rank}.pt'))
    finally:
        dist.destroy_process_group()


@HOOKS.register_module(force=True)
class BankDumpHook(Hook):
    """Saves this rank's VSB, flags, student parameters, lr, the runtime
    info of :class:`EffectiveBatchHook` and the sample indices it trained
    on to ``work_dir/bank_rank{r}.pt`` after the run."""

    def __init__(self):
        self.indices = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.indices += [s.sample_idx for s in data_batch['data_samples']]

    def after_run(self, runner):
        model = runner.model.module if hasattr(runner.model, 'module') \
            else runner.model
        hub = runner.message_hub
        torch.save(
            dict(rank=runner.rank, world_size=runner.world_size,
                 wrapper=type(runner.model).__name__,
                 vsb=model.neck.vsb, init=model.neck.vsb_initialized,
                 params=torch.cat([p.detach().flatten()
                                   for p in model.backbone.parameters()]),
                 indices=self.indices, iter=runner.iter,
                 effective_batch_size=hub.get_info('effective_batch_size'),
                 base_lr=hub.get_info('base_lr')),
            osp.join(runner.work_dir, f'bank_rank{runner.rank}.pt'))
