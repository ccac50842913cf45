"""Distributed BINGO on CPU (gloo): two processes, each on half of a global
batch, give the loss, the (averaged) gradient and the queue of one process
on the concatenated batch.

What is compared: the CutMix boxes are drawn per sample (by the dataset in
training, from a seeded generator here), so both runs mix the same pixels;
the student runs with BatchNorm in eval mode, so a sample's embedding does
not depend on which rank's batch it is in (in training each rank normalises
with its own batch statistics, as in the reference's DDP, which no
single-process run reproduces)."""
import _bingo_workers as bw
import pytest
import torch
import torch.multiprocessing as mp
from _tiny_clip import tiny_teacher

import mmlgd  # noqa: F401  allow-list for weights_only loading


@pytest.mark.dist
def test_two_ranks_equal_one_process_on_concatenated_batch(tiny_clip,
                                                           tmp_path):
    world = 2
    teacher_cfg = tiny_teacher(tiny_clip)
    mp.spawn(bw.bingo_worker, nprocs=world, join=True,
             args=(world, str(tmp_path / 'init'), str(tmp_path),
                   teacher_cfg))
    ranks = [torch.load(str(tmp_path / f'rank{r}.pt'), map_location='cpu',
                        weights_only=True) for r in range(world)]
    model = bw.new_bingo(teacher_cfg)
    views, boxes = bw.global_batch(world)
    loss, grads = bw.loss_and_grad(model, views, boxes)
    for out in ranks:
        torch.testing.assert_close(out['loss'], loss, rtol=1e-5, atol=1e-6)
        assert set(out['grads']) == set(grads) and grads
        for name, g in grads.items():
            torch.testing.assert_close(out['grads'][name], g, rtol=1e-4,
                                       atol=1e-6, msg=name)
        # the queue holds the teacher embeddings of the global batch
        torch.testing.assert_close(out['queue'], model.queue.embeddings,
                                   rtol=0, atol=1e-6)
        assert int(out['ptr']) == int(model.queue.ptr) == world * bw.B
    assert any(g.abs().sum() > 0 for g in grads.values())
