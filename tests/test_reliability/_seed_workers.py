"""Code that runs inside the processes of the distributed SEED test: each
rank enqueues its own teacher embeddings into an :class:`EmbeddingQueue`,
then a tiny SEED model trains steps on rank-specific images."""
import os.path as osp

import torch
import torch.distributed as dist
import torch.nn.functional as F

K, D, B, STEPS = 12, 6, 2, 5   # global batch 4: full after 3, then wraps
IMG_STEPS = 3


def queue_data(world_size):
    """Per step a list of (B, D) unit keys, one per rank."""
    g = torch.Generator().manual_seed(4321)
    return [[F.normalize(torch.randn(B, D, generator=g), dim=1)
             for _ in range(world_size)] for _ in range(STEPS)]


def image_data(world_size):
    """Per step a list of (B, 3, 32, 32) images (0-255), one per rank."""
    g = torch.Generator().manual_seed(99)
    return [[torch.randint(0, 256, (B, 3, 32, 32), generator=g).float()
             for _ in range(world_size)] for _ in range(IMG_STEPS)]


def new_queue(size=K, dim=D):
    from mmlgd.models import EmbeddingQueue
    torch.manual_seed(0)  # identical random initial queue everywhere
    return EmbeddingQueue(size=size, dim=dim)


def new_seed(teacher_cfg):
    """A SEED model with the tiny teacher and a queue of 8 (global batch 4
    in two processes: wraps at the second step)."""
    from mmpretrain.registry import MODELS
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='SEED', backbone=dict(type='ResNet', depth=18, base_channels=8,
                                   stem_channels=8),
        neck=dict(type='StudentProjector', in_channels=64),
        head=dict(type='SEEDHead'), target_generator=teacher_cfg,
        queue=dict(type='EmbeddingQueue', size=8)))


def seed_worker(rank, world_size, init_file, out_dir, teacher_cfg):
    """Queue steps on rank-specific keys, then SEED training steps on
    rank-specific images; results go to ``rank{r}.pt``."""
    from mmengine.optim import OptimWrapper

    import mmlgd  # noqa: F401  registers modules
    dist.init_process_group('gloo', init_method=f'file://{init_file}',
                            rank=rank, world_size=world_size)
    try:
        queue = new_queue()
        written = [queue.enqueue(keys[rank]) for keys in
                   queue_data(world_size)]
        model = new_seed(teacher_cfg)
        model.train()
        optim = OptimWrapper(torch.optim.SGD(
            [p for p in model.parameters() if p.requires_grad], lr=0.1))
        losses = []
        for images in image_data(world_size):
            log = model.train_step(
                dict(inputs=[images[rank]], data_samples=None), optim)
            losses.append(float(log['loss']))
        torch.save(dict(queue=queue.embeddings, ptr=queue.ptr,
                        written=written, seed_queue=model.queue.embeddings,
                        seed_ptr=model.queue.ptr, losses=losses),
                   osp.join(out_dir, f'rank{rank}.pt'))
    finally:
        dist.destroy_process_group()
