"""Exact resume of SEED: N iterations + resume + M iterations reproduce an
uninterrupted N + M run bit for bit, the queue and its pointer included
(saved mid-queue, so a wrong pointer would write the wrong rows)."""
import os.path as osp

import _tiny_lgd as tl
import pytest
import torch
from mmengine.registry import HOOKS

import mmlgd  # noqa: F401  registers modules, safe checkpoint loading
from mmlgd.apis import build_runner, load_config


def seed_model(tiny_clip):
    """The tiny LGD run's student and teacher with SEED's method, a queue
    of 4."""
    return dict(
        type='SEED',
        data_preprocessor=dict(
            type='SelfSupDataPreprocessor',
            mean=[122.770938, 116.7460125, 104.09373615],
            std=[68.5005327, 66.6321579, 70.32316305], to_rgb=True),
        backbone=dict(type='ResNet', depth=18, stem_channels=8,
                      base_channels=8),
        neck=dict(type='StudentProjector', in_channels=64),
        head=dict(type='SEEDHead'),
        target_generator=tl.tiny_teacher(tiny_clip),
        queue=dict(type='EmbeddingQueue', size=4))


@HOOKS.register_module(force=True)
class SEEDRecorderHook(tl.LGDRecorderHook):
    """The LGD recorder (outputs, lr, batch indices per iteration) with the
    queue and its pointer at the start of training instead of the VSB."""

    def before_train(self, runner):
        queue = tl._unwrap(runner.model).queue
        self.queue_before = queue.embeddings.clone()
        self.ptr_before = queue.ptr.clone()

    @staticmethod
    def find(runner):
        return next(h for h in runner.hooks
                    if isinstance(h, SEEDRecorderHook))


def write_seed_config(path, tiny_clip, data_root):
    """The tiny LGD run of ``_tiny_lgd`` (6 iterations, checkpoint every 3,
    batch 2, warm-up + cosine) with the SEED model."""
    return tl.write_lgd_config(
        path, tiny_clip, data_root, osp.join(osp.dirname(path), 'tsb'),
        sampler=dict(type='InfiniteSampler', shuffle=True, seed=0),
        extra_hooks=[dict(type='EmbeddingQueueCheckHook'),
                     dict(type='SEEDRecorderHook')],
        model=seed_model(tiny_clip), log_level='WARNING')


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
