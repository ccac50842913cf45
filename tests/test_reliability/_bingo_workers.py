"""Code that runs inside the processes of the distributed BINGO test: each
rank computes the BINGO loss and its gradient on its half of a global batch
(with per-sample CutMix boxes), then all-reduces the gradient."""
import os.path as osp

import torch
import torch.distributed as dist

B = 2  # per rank


def global_batch(world_size):
    """Four (world x B, 3, 32, 32) views and (world x B) CutMix boxes."""
    g = torch.Generator().manual_seed(7)
    n = world_size * B
    views = [torch.rand(n, 3, 32, 32, generator=g) * 255 for _ in range(4)]
    lo = torch.randint(0, 16, (n, 2), generator=g)
    hi = lo + torch.randint(1, 16, (n, 2), generator=g)
    boxes = torch.stack([lo[:, 0], hi[:, 0], lo[:, 1], hi[:, 1]], 1)
    return views, boxes.tolist()


def new_bingo(teacher_cfg):
    """A tiny BINGO model; the student in eval mode (BatchNorm running
    statistics), so a sample's loss does not depend on its batch."""
    from mmpretrain.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='BINGO', backbone=dict(type='ResNet', depth=18, base_channels=8,
                                    stem_channels=8),
        neck=dict(type='StudentProjector', in_channels=64),
        head=dict(type='BINGOHead'), target_generator=teacher_cfg,
        queue=dict(type='EmbeddingQueue', size=8), bag_start=0.0))
    model.eval()
    return model


def loss_and_grad(model, views, boxes):
    """(loss, {name: grad}) of one BINGO loss on the given samples."""
    from mmengine.logging import MessageHub
    from mmpretrain.structures import DataSample
    hub = MessageHub.get_instance('bingo_dist')
    hub.update_info('iter', 5)
    hub.update_info('max_iters', 10)
    samples = [DataSample(metainfo=dict(cutmix_box=tuple(b)))
               for b in boxes]
    x = model.data_preprocessor(dict(inputs=views, data_samples=samples),
                                False)['inputs']
    model.zero_grad()
    out = model.loss(x, samples)
    out['loss_bingo'].backward()
    return out['loss_bingo'].detach(), {
        n: p.grad.clone() for n, p in model.named_parameters()
        if p.grad is not None}


def bingo_worker(rank, world_size, init_file, out_dir, teacher_cfg):
    import mmlgd  # noqa: F401  registers modules
    dist.init_process_group('gloo', init_method=f'file://{init_file}',
                            rank=rank, world_size=world_size)
    try:
        model = new_bingo(teacher_cfg)
        views, boxes = global_batch(world_size)
        mine = slice(rank * B, (rank + 1) * B)
        loss, grads = loss_and_grad(model, [v[mine] for v in views],
                                    boxes[mine])
        for g in [loss, *grads.values()]:  # DDP's average over ranks
            dist.all_reduce(g)
            g /= world_size
        torch.save(dict(loss=loss, grads=grads, queue=model.queue.embeddings,
                        ptr=model.queue.ptr),
                   osp.join(out_dir, f'rank{rank}.pt'))
    finally:
        dist.destroy_process_group()
