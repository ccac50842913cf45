"""FiniteLossHook: stops at the first non-finite output, one process."""
import math

import pytest
import torch
from _fake_runner import fake_runner

from mmlgd.engine.hooks import FiniteLossHook


def test_runs_before_the_checkpoint_hook():
    from mmengine.hooks import CheckpointHook
    from mmengine.runner import get_priority
    assert get_priority(FiniteLossHook.priority) < get_priority(
        CheckpointHook.priority)


def test_finite_outputs_pass():
    outputs = dict(loss=torch.tensor(0.7), loss_tex=torch.tensor([0.1, 0.2]),
                   agree_tsb=0.5)
    FiniteLossHook().after_train_iter(fake_runner(), 0, outputs=outputs)
    FiniteLossHook().after_train_iter(fake_runner(), 0, outputs=None)


@pytest.mark.parametrize('name, value', [
    ('loss', torch.tensor(float('nan'))),
    ('loss_vis', torch.tensor([1.0, float('inf')])),
    ('agree_tsb', -math.inf),
])
def test_non_finite_output_stops_with_iteration_and_name(name, value):
    runner = fake_runner(iter=6, epoch=2)
    outputs = dict(loss_tex=torch.tensor(0.3), **{name: value})
    with pytest.raises(FloatingPointError) as err:
        FiniteLossHook().after_train_iter(runner, 0, outputs=outputs)
    msg = str(err.value)
    assert 'iteration 7 (epoch 3)' in msg  # 1-based, as in the logs
    assert repr(name) in msg and "'loss_tex'" not in msg
    assert '--resume' in msg
