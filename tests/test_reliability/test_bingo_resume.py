"""Exact resume of BINGO: N iterations + resume + M iterations reproduce an
uninterrupted N + M run bit for bit (the queue, its pointer, the bag
weight, the neighbours drawn and the CutMix boxes included); the bag term
switches on between the two parts."""
import os.path as osp

import _tiny_lgd as tl
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import HOOKS

import mmlgd  # noqa: F401  registers modules, safe checkpoint loading
from mmlgd.apis import build_runner, load_config
from mmlgd.datasets.bag_of_instances import save_neighbours


@HOOKS.register_module(force=True)
class BINGORecorderHook(tl.LGDRecorderHook):
    """The LGD recorder with the queue at the start of training and, per
    iteration, the neighbours drawn and the CutMix boxes."""

    def before_train(self, runner):
        queue = tl._unwrap(runner.model).queue
        self.queue_before = queue.embeddings.clone()
        self.bags = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        super().before_train_iter(runner, batch_idx, data_batch)
        self.bags.append([(s.bag_index, s.cutmix_box)
                          for s in data_batch['data_samples']])

    @staticmethod
    def find(runner):
        return next(h for h in runner.hooks
                    if isinstance(h, BINGORecorderHook))


def write_bingo_config(path, tiny_clip, data_root):
    """The tiny LGD run (6 iterations, checkpoint every 3, batch 2) with
    BINGO, a queue of 4, bags of 2 from a neighbour file; bag term on from
    iteration ceil(0.5 x 6) = 3."""
    tl.write_lgd_config(
        path, tiny_clip, data_root, osp.join(osp.dirname(path), 'tsb'),
        sampler=dict(type='InfiniteSampler', shuffle=True, seed=0),
        extra_hooks=[dict(type='EmbeddingQueueCheckHook'),
                     dict(type='BINGORecorderHook')], log_level='WARNING')
    cfg = Config.fromfile(path)
    cfg.model = dict(
        type='BINGO', data_preprocessor=cfg.model.data_preprocessor,
        backbone=cfg.model.backbone,
        neck=dict(type='StudentProjector', in_channels=64),
        head=dict(type='BINGOHead'), target_generator=cfg.model.
        target_generator, queue=dict(type='EmbeddingQueue', size=4),
        bag_start=0.5)
    inner = cfg.train_dataloader.dataset
    inner.pipeline[1].num_views = 2
    nb = osp.join(osp.dirname(path), 'nb.npz')
    cfg.train_dataloader.dataset = dict(
        type='BagOfInstancesDataset', dataset=inner, neighbour_file=nb,
        num_neighbours=2)
    from mmpretrain.datasets import CustomDataset
    ds = CustomDataset(data_root=data_root, with_label=False)
    n = len(ds)
    save_neighbours(nb, np.array([[(i + 1) % n, (i + 2) % n]
                                  for i in range(n)]), ds)
    cfg.dump(path)
    return path


def _train(cfg_path, work_dir, name, resume=None):
    cfg = load_config(cfg_path, dict(experiment_name=name), work_dir)
    if resume:
        cfg.resume, cfg.load_from = True, resume
    runner = build_runner(cfg)
    runner.train()
    return runner


@pytest.mark.e2e
def test_bingo_resume_restores_queue_bags_and_switch(tiny_clip, tmp_path,
                                                     one_thread):
    data = str(tmp_path / 'images')
    tl.write_images(data, 8)
    cfg = write_bingo_config(str(tmp_path / 'bingo_resume.py'), tiny_clip,
                             data)
    full_dir, part_dir = str(tmp_path / 'full'), str(tmp_path / 'resumed')
    full = _train(cfg, full_dir, 'bingo_resume_full')
    ckpt = osp.join(full_dir, 'iter_3.pth')
    state = torch.load(ckpt, map_location='cpu',
                       weights_only=True)['state_dict']
    assert int(state['queue.ptr']) == 2  # 3 x 2 into 4: mid-queue
    resumed = _train(cfg, part_dir, 'bingo_resume_part', resume=ckpt)
    rec_full = BINGORecorderHook.find(full)
    rec_part = BINGORecorderHook.find(resumed)
    assert resumed.iter == full.iter == 6
    assert torch.equal(rec_part.queue_before, state['queue.embeddings'])
    assert rec_part.indices == rec_full.indices[3:]
    assert rec_part.bags == rec_full.bags[3:]
    assert rec_part.outputs == rec_full.outputs[3:]
    assert rec_part.lrs == rec_full.lrs[3:]
    # the bag term was off before the checkpoint and on after it
    assert [o['bag_weight'] for o in rec_full.outputs] == [0.0] * 3 + \
        [0.5] * 3
    final = [torch.load(osp.join(d, 'iter_6.pth'), map_location='cpu',
                        weights_only=True)['state_dict']
             for d in (full_dir, part_dir)]
    assert set(final[0]) == set(final[1])
    for k in final[0]:
        assert torch.equal(final[0][k], final[1][k]), k
