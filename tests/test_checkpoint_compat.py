"""Runner checkpoints load with ``weights_only=True`` and resume exactly;
unsafe files are refused without running their code."""
import copy
import os
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

import mmlgd
from mmlgd.apis import build_runner
from mmlgd.checkpoint_compat import (
    message_hub_from_plain,
    message_hub_to_plain,
    safe_torch_load,
)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
MAX_ITERS = 4


def _write_images(root, n_per_class=4, size=32):
    """A two-class image folder for mmpretrain's CustomDataset."""
    import mmcv
    rng = np.random.default_rng(0)
    for cls in ('a', 'b'):
        for i in range(n_per_class):
            img = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
            mmcv.imwrite(img, osp.join(root, cls, f'{i}.png'))
    return root


def _cfg(data_root, work_dir, name, max_iters=MAX_ITERS, **extra):
    """A tiny classifier run laid out like mmlgd's configs."""
    return Config(dict(
        default_scope='mmpretrain',
        custom_imports=dict(imports=['mmlgd'], allow_failed_imports=False),
        experiment_name=name,  # distinct names: distinct MessageHubs
        work_dir=work_dir,
        model=dict(
            type='ImageClassifier',
            data_preprocessor=dict(num_classes=2, mean=[127.5] * 3,
                                   std=[127.5] * 3, to_rgb=True),
            backbone=dict(type='ResNet', depth=18, stem_channels=8,
                          base_channels=8),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=2, in_channels=64)),
        train_dataloader=dict(
            batch_size=4, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            dataset=dict(type='CustomDataset', data_root=data_root,
                         pipeline=[dict(type='LoadImageFromFile'),
                                   dict(type='PackInputs')])),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                                          weight_decay=1e-4)),
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
                 end=2),
            dict(type='CosineAnnealingLR', by_epoch=False, begin=2, end=8),
        ],
        default_hooks=dict(
            timer=dict(type='IterTimerHook'),
            logger=dict(type='LoggerHook', interval=1),
            param_scheduler=dict(type='ParamSchedulerHook'),
            checkpoint=dict(type='CheckpointHook', interval=2,
                            by_epoch=False)),
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        randomness=dict(seed=0),
        log_level='WARNING',
        **extra))


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return _write_images(str(tmp_path_factory.mktemp('images')))


@pytest.fixture(scope='module')
def trained(data_root, tmp_path_factory):
    """An mmlgd run (``build_runner``) trained for MAX_ITERS iterations."""
    work = str(tmp_path_factory.mktemp('mmlgd_run'))
    runner = build_runner(_cfg(data_root, work, 'ckpt_mmlgd'))
    runner.train()
    return runner, osp.join(work, f'iter_{MAX_ITERS}.pth')


@pytest.fixture(scope='module')
def plain_ckpt(data_root, tmp_path_factory):
    """A checkpoint written by plain mmengine (no PlainMessageHubHook)."""
    work = str(tmp_path_factory.mktemp('plain_run'))
    runner = Runner.from_cfg(_cfg(data_root, work, 'ckpt_plain',
                                  max_iters=2))
    runner.train()
    return runner, osp.join(work, 'iter_2.pth')


def _qualnames(objs):
    return {f'{o.__module__}.{o.__qualname__}' for o in objs
            if hasattr(o, '__qualname__')}


def _allowed():
    names = _qualnames(torch.serialization.get_safe_globals())
    names |= {name for o in torch.serialization.get_safe_globals()
              if isinstance(o, tuple) for name in o[1:]}
    return names


def _globals_needed(path):
    """Every global the file references, allow-listed or not."""
    saved = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    try:
        return torch.serialization.get_unsafe_globals_in_checkpoint(path)
    finally:
        torch.serialization.add_safe_globals(saved)


def test_getattr_is_not_allow_listed():
    assert 'builtins.getattr' not in _allowed()
    assert getattr not in torch.serialization.get_safe_globals()


def test_checkpoint_loads_with_weights_only(trained):
    _, path = trained
    ckpt = torch.load(path, map_location='cpu', weights_only=True)
    assert {'meta', 'state_dict', 'message_hub', 'optimizer',
            'param_schedulers'} <= set(ckpt)
    assert ckpt['meta']['iter'] == MAX_ITERS
    # only default-safe types and mmlgd's allow-list (numpy scalars, ...)
    assert torch.serialization.get_unsafe_globals_in_checkpoint(path) == []
    needed = set(_globals_needed(path))
    assert needed <= _allowed(), needed - _allowed()
    assert 'builtins.getattr' not in needed
    assert 'mmengine.logging.history_buffer.HistoryBuffer' not in needed


def _assert_hub_equal(hub_a, hub_b, keys):
    for key in keys:
        log_a, count_a = hub_a.log_scalars[key].data
        log_b, count_b = hub_b.log_scalars[key].data
        np.testing.assert_array_equal(log_a, log_b, err_msg=key)
        np.testing.assert_array_equal(count_a, count_b, err_msg=key)


class _Snapshot(Hook):
    """Copies the run's state when training (re)starts, i.e. right after
    ``Runner.train`` resumed, in the Runner's own order of operations."""

    priority = 'VERY_HIGH'

    def before_train(self, runner):
        self.iter = runner.iter
        self.optimizer = copy.deepcopy(
            runner.optim_wrapper.optimizer.state_dict())
        self.schedulers = [copy.deepcopy(s.state_dict())
                           for s in runner.param_schedulers]
        self.hub = copy.deepcopy(runner.message_hub.log_scalars)
        self.weights = copy.deepcopy(runner.model.state_dict())


def test_resume_restores_state(trained, data_root, tmp_path):
    runner1, path = trained
    runner2 = build_runner(_cfg(data_root, str(tmp_path), 'ckpt_resume',
                                max_iters=MAX_ITERS + 2, resume=True,
                                load_from=path))
    snap = _Snapshot()
    runner2.register_hook(snap)
    runner2.train()  # resumes, then trains the 2 remaining iterations

    assert snap.iter == MAX_ITERS
    # optimizer: hyper-parameters (scheduled lr included) and momentum
    opt1 = runner1.optim_wrapper.optimizer.state_dict()
    assert opt1['param_groups'] == snap.optimizer['param_groups']
    assert opt1['state'].keys() == snap.optimizer['state'].keys()
    assert opt1['state']
    for k, state in opt1['state'].items():
        torch.testing.assert_close(
            state['momentum_buffer'],
            snap.optimizer['state'][k]['momentum_buffer'], rtol=0, atol=0)
    # schedulers: step counters and last values
    assert [s.state_dict() for s in runner1.param_schedulers] == \
        snap.schedulers
    assert all(s['_global_step'] == MAX_ITERS for s in snap.schedulers)
    # lr for iteration 5: warm-up over iterations 1-2, then cosine from 0.1
    # over 6 iterations, 2 in: 0.1 * (1 + cos(pi * 2 / 6)) / 2 = 0.075
    assert snap.optimizer['param_groups'][0]['lr'] == pytest.approx(0.075)
    # message hub: the logged scalar histories, value for value
    hub1 = runner1.message_hub.log_scalars
    assert len(hub1['train/loss'].data[0]) == MAX_ITERS
    for key in ('train/loss', 'train/lr'):
        for a, b in zip(hub1[key].data, snap.hub[key].data):
            np.testing.assert_array_equal(a, b, err_msg=key)
    # weights
    for k, v in runner1.model.state_dict().items():
        torch.testing.assert_close(v, snap.weights[k], rtol=0, atol=0)
    # and training continued from there
    assert runner2.iter == MAX_ITERS + 2
    assert len(runner2.message_hub.log_scalars['train/loss'].data[0]) == \
        MAX_ITERS + 2
    safe_torch_load(osp.join(str(tmp_path), f'iter_{MAX_ITERS + 2}.pth'))


def test_message_hub_plain_round_trip(trained):
    runner, _ = trained
    state = runner.message_hub.state_dict()
    plain = message_hub_to_plain(state)
    assert message_hub_to_plain(plain) is plain  # idempotent
    back = message_hub_from_plain(plain)
    for key, buf in state['log_scalars'].items():
        np.testing.assert_array_equal(buf.data[0],
                                      back['log_scalars'][key].data[0])
        assert buf.max_length == back['log_scalars'][key].max_length


def test_plain_mmengine_checkpoint_is_refused(plain_ckpt, data_root,
                                              tmp_path):
    _, path = plain_ckpt
    assert 'builtins.getattr' in _globals_needed(path)
    with pytest.raises(pickle.UnpicklingError,
                       match=r'(?s)getattr.*convert_checkpoint'):
        safe_torch_load(path)
    # the same refusal when an mmlgd run resumes from it
    runner = build_runner(_cfg(data_root, str(tmp_path), 'ckpt_refuse',
                               resume=True, load_from=path))
    with pytest.raises(pickle.UnpicklingError, match='convert_checkpoint'):
        runner.load_or_resume()


class _Evil:
    """Pickles as a call of ``fn(*args)``."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


@pytest.mark.parametrize('kind', ['system', 'print'])
def test_crafted_pickle_is_refused_not_executed(kind, tmp_path, capfd):
    marker = tmp_path / 'pwned'
    payload = (_Evil(os.system, f'touch {marker}') if kind == 'system' else
               _Evil(print, 'PWNED-MARKER'))
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {'w': torch.zeros(1)}, 'meta': payload}, path)
    with pytest.raises(pickle.UnpicklingError, match='not allow-listed'):
        safe_torch_load(path)
    from mmengine.runner.checkpoint import CheckpointLoader
    with pytest.raises(pickle.UnpicklingError):  # the path mmengine takes
        CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert not marker.exists()
    assert 'PWNED-MARKER' not in capfd.readouterr().out


@pytest.fixture(scope='module')
def convert_tool():
    from mmlgd.cli import convert_checkpoint
    return convert_checkpoint


def test_convert_checkpoint(convert_tool, plain_ckpt, data_root, tmp_path):
    plain_runner, src = plain_ckpt
    dst = str(tmp_path / 'converted.pth')
    with pytest.raises(SystemExit, match='--trust'):
        convert_tool.main([src, dst])
    assert not osp.exists(dst)

    assert convert_tool.main([src, dst, '--trust']) == 0
    ckpt = torch.load(dst, map_location='cpu', weights_only=True)
    assert ckpt['meta']['iter'] == 2
    needed = set(_globals_needed(dst))
    assert needed <= _allowed() and 'builtins.getattr' not in needed

    runner = build_runner(_cfg(data_root, str(tmp_path / 'w'),
                               'ckpt_converted', resume=True, load_from=dst))
    runner.load_or_resume()
    assert runner.iter == 2
    _assert_hub_equal(plain_runner.message_hub, runner.message_hub,
                      ('train/loss', 'train/lr'))

    before = open(dst, 'rb').read()
    with pytest.raises(SystemExit, match='--force'):
        convert_tool.main([src, dst, '--trust'])
    assert open(dst, 'rb').read() == before
    assert convert_tool.main([src, dst, '--trust', '--force']) == 0
    safe_torch_load(dst)
    assert mmlgd.checkpoint_compat.PLAIN_MARKER in \
        torch.load(dst, weights_only=True)['message_hub']
