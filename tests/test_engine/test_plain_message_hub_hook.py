"""PlainMessageHubHook: a checkpoint's message hub loads with
``weights_only=True`` and comes back as HistoryBuffers."""
import io
import pickle

import numpy as np
import pytest
import torch
from _fake_runner import fake_runner
from mmengine.logging import HistoryBuffer

from mmlgd.engine.hooks import PlainMessageHubHook


def _hub_state():
    hub = fake_runner().message_hub
    for i, loss in enumerate((0.9, 0.7, 0.4)):
        hub.update_scalar('train/loss', loss, count=2)
        hub.update_scalar('train/lr', 0.1 / (i + 1))
    hub.update_info('iter', 3)
    return hub.state_dict()


def _weights_only_roundtrip(checkpoint):
    buf = io.BytesIO()
    torch.save(checkpoint, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=True)


def test_without_the_hook_a_safe_load_refuses_the_hub():
    """The failure the hook exists for (HistoryBuffer pickles need
    ``builtins.getattr``, which is not allow-listed)."""
    with pytest.raises(pickle.UnpicklingError):
        _weights_only_roundtrip(dict(message_hub=_hub_state()))


def test_save_then_load_restores_the_buffers():
    state = _hub_state()
    want = {k: [np.array(a) for a in v.data]
            for k, v in state['log_scalars'].items()}
    hook, runner = PlainMessageHubHook(), fake_runner()
    checkpoint = dict(message_hub=state, meta=dict(epoch=1))
    hook.before_save_checkpoint(runner, checkpoint)
    loaded = _weights_only_roundtrip(checkpoint)  # no getattr needed
    hook.after_load_checkpoint(runner, loaded)
    scalars = loaded['message_hub']['log_scalars']
    assert set(scalars) == set(want)
    for name, buf in scalars.items():
        assert isinstance(buf, HistoryBuffer)
        log, count = buf.data
        np.testing.assert_allclose(log, want[name][0])
        np.testing.assert_allclose(count, want[name][1])
    assert loaded['message_hub']['runtime_info']['iter'] == 3
    assert loaded['meta'] == dict(epoch=1)


def test_checkpoint_without_hub_is_untouched():
    hook, runner = PlainMessageHubHook(), fake_runner()
    checkpoint = dict(state_dict={'w': torch.ones(1)})
    hook.before_save_checkpoint(runner, checkpoint)
    hook.after_load_checkpoint(runner, checkpoint)
    assert list(checkpoint) == ['state_dict']


def test_runs_after_hooks_that_add_to_the_checkpoint():
    from mmengine.runner import get_priority
    assert get_priority(PlainMessageHubHook.priority) == get_priority(
        'VERY_LOW')
