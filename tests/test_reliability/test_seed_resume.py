"""Exact resume of SEED: N iterations + resume + M iterations reproduce an
uninterrupted N + M run bit for bit, the queue and its pointer included
(saved mid-queue, so a wrong pointer would write the wrong rows)."""
import os
import os.path as osp
import textwrap

import _tiny_lgd as tl
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

import mmlgd  # noqa: F401  registers modules, safe checkpoint loading
from mmlgd.apis import build_runner, load_config

SEED_CONFIG = '''
_base_ = {runtime!r}
default_scope = 'mmpretrain'
model = dict(
    type='SEED',
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[122.770938, 116.7460125, 104.09373615],
        std=[68.5005327, 66.6321579, 70.32316305], to_rgb=True),
    backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8),
    neck=dict(type='StudentProjector', in_channels=64),
    head=dict(type='SEEDHead'),
    target_generator={teacher!r},
    queue=dict(type='EmbeddingQueue', size=4))
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.05, momentum=0.9,
                                    weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2),
    dict(type='CosineAnnealingLR', T_max=4, by_epoch=False, begin=2, end=6),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=6)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=1),
    checkpoint=dict(type='CheckpointHook', interval=3, by_epoch=False,
                    max_keep_ckpts=-1))
log_processor = dict(window_size=1, by_epoch=False)
randomness = dict(seed=0, deterministic=True)
log_level = 'WARNING'
'''


@HOOKS.register_module(force=True)
class SEEDRecorderHook(Hook):
    """Per iteration: outputs, lr, batch indices; the queue and pointer at
    the start of training."""

    priority = 'VERY_HIGH'

    def __init__(self):
        self.outputs, self.lrs, self.indices = [], [], []
        self.queue_before = self.ptr_before = None

    def before_train(self, runner):
        queue = tl._unwrap(runner.model).queue
        self.queue_before = queue.embeddings.clone()
        self.ptr_before = queue.ptr.clone()

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.lrs.append(runner.optim_wrapper.get_lr()['lr'][0])
        self.indices.append(
            [s.sample_idx for s in data_batch['data_samples']])

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.outputs.append({k: float(v.detach()) for k, v in outputs.items()})

    @staticmethod
    def find(runner):
        return next(h for h in runner.hooks
                    if isinstance(h, SEEDRecorderHook))


def write_seed_config(path, tiny_clip, data_root):
    from mmengine.config import Config
    hooks = Config.fromfile(tl.RUNTIME).to_dict()['custom_hooks'] + [
        dict(type='EmbeddingQueueCheckHook'), dict(type='SEEDRecorderHook')]
    text = SEED_CONFIG.format(runtime=tl.RUNTIME,
                              teacher=tl.tiny_teacher(tiny_clip))
    loader = tl.train_dataloader(
        data_root, tl.view_pipeline(), 2,
        dict(type='InfiniteSampler', shuffle=True, seed=0))
    text += f'custom_hooks = {hooks!r}\ntrain_dataloader = {loader!r}\n'
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(textwrap.dedent(text))
    return path


def _train(cfg_path, work_dir, name, resume=None):
    cfg = load_config(cfg_path, dict(experiment_name=name), work_dir)
    if resume:
        cfg.resume, cfg.load_from = True, resume
    runner = build_runner(cfg)
    runner.train()
    return runner


@pytest.mark.e2e
def test_seed_resume_restores_queue_and_pointer(tiny_clip, tmp_path,
                                                one_thread):
    data = str(tmp_path / 'images')
    tl.write_images(data, 8)
    cfg = write_seed_config(str(tmp_path / 'seed_resume.py'), tiny_clip,
                            data)
    full_dir, part_dir = str(tmp_path / 'full'), str(tmp_path / 'resumed')
    full = _train(cfg, full_dir, 'seed_resume_full')
    ckpt = osp.join(full_dir, 'iter_3.pth')
    saved = torch.load(ckpt, map_location='cpu', weights_only=True)
    state = saved['state_dict']
    # 3 iterations x batch 2 into a queue of 4: the pointer is mid-queue
    assert saved['meta']['iter'] == 3 and int(state['queue.ptr']) == 2
    assert not any(k.startswith('target_generator.') for k in state)

    resumed = _train(cfg, part_dir, 'seed_resume_part', resume=ckpt)
    rec_full = SEEDRecorderHook.find(full)
    rec_part = SEEDRecorderHook.find(resumed)
    assert resumed.iter == full.iter == 6
    # the resumed run started from the saved queue and pointer ...
    assert torch.equal(rec_part.queue_before, state['queue.embeddings'])
    assert torch.equal(rec_part.ptr_before, state['queue.ptr'])
    assert not torch.equal(rec_full.queue_before, rec_part.queue_before)
    # ... saw the same batches, losses and lr ...
    assert rec_part.indices == rec_full.indices[3:]
    assert rec_part.outputs == rec_full.outputs[3:]
    assert rec_part.lrs == rec_full.lrs[3:]
    assert all('loss_seed' in out for out in rec_full.outputs)
    # ... and ends in the same state, queue and pointer included.
    q_full, q_part = full.model.queue, resumed.model.queue
    assert torch.equal(q_full.embeddings, q_part.embeddings)
    assert torch.equal(q_full.ptr, q_part.ptr) and int(q_full.ptr) == 0
    final = [torch.load(osp.join(d, 'iter_6.pth'), map_location='cpu',
                        weights_only=True)['state_dict']
             for d in (full_dir, part_dir)]
    assert set(final[0]) == set(final[1])
    for k in final[0]:
        assert torch.equal(final[0][k], final[1][k]), k
