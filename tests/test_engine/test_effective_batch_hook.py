"""EffectiveBatchHook: the logged batch and lr, and the empty-split error."""
from types import SimpleNamespace

import pytest
from _fake_runner import fake_runner
from torch.utils.data import DataLoader

from mmlgd.engine.hooks import EffectiveBatchHook


def _runner(n, batch, world, lr=0.01, initial_lr=0.03, auto_scale_lr=None):
    loader = DataLoader(list(range(n)), batch_size=batch, drop_last=True)
    optim = SimpleNamespace(param_groups=[dict(lr=lr, initial_lr=initial_lr)])
    return fake_runner(train_dataloader=loader, optim_wrapper=optim,
                       world_size=world, auto_scale_lr=auto_scale_lr)


def test_logs_world_times_batch_and_lr_per_256():
    runner = _runner(n=40, batch=16, world=4)
    EffectiveBatchHook().before_train(runner)
    # 4 processes x 16 = 64; 0.03 * 256 / 64 = 0.12 per 256 images
    assert runner.message_hub.get_info('effective_batch_size') == 64
    assert runner.message_hub.get_info('base_lr') == 0.03
    (line, ) = runner.logger.lines
    assert 'Effective batch size 64 = 4 process(es) x 16 per process' in line
    assert 'base lr 0.03 (0.12 per 256 images)' in line
    assert 'current lr 0.01' in line and 'auto_scale_lr off' in line


def test_base_lr_falls_back_to_lr_and_reports_auto_scale():
    runner = _runner(n=8, batch=8, world=1, lr=0.5, initial_lr=None,
                     auto_scale_lr=dict(enable=True, base_batch_size=256))
    del runner.optim_wrapper.param_groups[0]['initial_lr']
    EffectiveBatchHook().before_train(runner)
    assert runner.message_hub.get_info('base_lr') == 0.5
    assert 'auto_scale_lr on, base_batch_size=256' in runner.logger.lines[0]


def test_split_without_a_batch_is_refused():
    runner = _runner(n=3, batch=4, world=2)  # drop_last: no batch at all
    with pytest.raises(ValueError, match=r'yields no batch: 3 sample\(s\) '
                       r'for a batch of 4 per process x 2 process\(es\) '
                       r'\(drop_last=True\)'):
        EffectiveBatchHook().before_train(runner)
