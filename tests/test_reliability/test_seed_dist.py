"""Distributed SEED on CPU (gloo): the queue is gathered before the enqueue,
identical on both ranks and equal to one process fed the concatenated
batch."""
import _seed_workers as sw
import pytest
import torch
import torch.multiprocessing as mp
from _tiny_clip import tiny_teacher

import mmlgd  # noqa: F401  allow-list for weights_only loading


def _load(path):
    return torch.load(path, map_location='cpu', weights_only=True)


@pytest.mark.dist
def test_queue_two_ranks_equal_concatenated_batch(tiny_clip, tmp_path):
    world = 2
    teacher_cfg = tiny_teacher(tiny_clip)
    mp.spawn(sw.seed_worker, nprocs=world, join=True,
             args=(world, str(tmp_path / 'init'), str(tmp_path),
                   teacher_cfg))
    ranks = [_load(str(tmp_path / f'rank{r}.pt')) for r in range(world)]

    # EmbeddingQueue: identical on both ranks, bit for bit ...
    assert torch.equal(ranks[0]['queue'], ranks[1]['queue'])
    assert torch.equal(ranks[0]['ptr'], ranks[1]['ptr'])
    # ... and equal to one process fed the rank-ordered concatenation
    single = sw.new_queue()
    for step, keys in enumerate(sw.queue_data(world)):
        batch = torch.cat(keys)
        single.enqueue(batch)
        for out in ranks:
            assert torch.equal(out['written'][step], batch)
    assert torch.equal(ranks[0]['queue'], single.embeddings)
    assert int(ranks[0]['ptr']) == int(single.ptr) == \
        sw.STEPS * world * sw.B % sw.K

    # SEED model: each rank's teacher embedded only its own images, yet the
    # queues agree and hold the teacher embeddings of the global batches.
    assert torch.equal(ranks[0]['seed_queue'], ranks[1]['seed_queue'])
    assert torch.equal(ranks[0]['seed_ptr'], ranks[1]['seed_ptr'])
    model = sw.new_seed(teacher_cfg)
    for images in sw.image_data(world):
        x = model.data_preprocessor(
            dict(inputs=[torch.cat(images)], data_samples=None),
            True)['inputs'][0]
        model.queue.enqueue(model.target_generator(x))
    assert int(model.queue.ptr) == int(ranks[0]['seed_ptr']) == 4
    torch.testing.assert_close(ranks[0]['seed_queue'],
                               model.queue.embeddings, rtol=0, atol=1e-6)
    assert all(torch.isfinite(torch.tensor(out['losses'])).all()
               for out in ranks)
