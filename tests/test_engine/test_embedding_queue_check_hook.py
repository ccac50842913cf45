"""EmbeddingQueueCheckHook: queue size vs the global batch, short batches."""
import pytest
from _fake_runner import fake_runner
from mmengine.dataset import InfiniteSampler
from torch import nn
from torch.utils.data import DataLoader

from mmlgd.engine.hooks import EmbeddingQueueCheckHook
from mmlgd.models.necks import EmbeddingQueue


def _runner(queue_size, n=32, batch=4, world=2, drop_last=True,
            infinite=False):
    model = nn.Sequential(nn.Linear(2, 2))
    if queue_size:
        model.add_module('queue', EmbeddingQueue(size=queue_size, dim=3))
    data = list(range(n))
    loader = (DataLoader(data, batch_size=batch,
                         sampler=InfiniteSampler(data, shuffle=False))
              if infinite else
              DataLoader(data, batch_size=batch, drop_last=drop_last))
    return fake_runner(model=model, train_dataloader=loader,
                       world_size=world)


def test_whole_number_of_global_batches_passes():
    EmbeddingQueueCheckHook().before_train(_runner(queue_size=16))  # 2 x 8


def test_queue_not_a_multiple_of_the_global_batch():
    with pytest.raises(ValueError, match='size 12 is not a multiple of the '
                       'global batch 8'):
        EmbeddingQueueCheckHook().before_train(_runner(queue_size=12))


def test_short_last_batch_needs_drop_last():
    with pytest.raises(ValueError, match='hold 2 instead of 4 samples.*'
                       'drop_last=True'):
        EmbeddingQueueCheckHook().before_train(
            _runner(queue_size=16, n=30, drop_last=False))
    EmbeddingQueueCheckHook().before_train(
        _runner(queue_size=16, n=30, drop_last=True))
    EmbeddingQueueCheckHook().before_train(
        _runner(queue_size=16, n=30, infinite=True))


def test_model_without_queue_is_left_alone():
    EmbeddingQueueCheckHook().before_train(
        _runner(queue_size=0, n=30, drop_last=False))
