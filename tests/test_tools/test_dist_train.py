"""tools/dist_train.sh: two CPU processes (gloo) train one model together."""
import json
import os
import os.path as osp
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import mmlgd  # noqa: F401  allow-list for weights_only loading

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# Each rank records what it saw after the run; DDP must have kept the
# parameters identical although the ranks trained on different samples.
MARKER_HOOK = '''
import json
import os.path as osp

import torch

import mmlgd  # noqa: F401  allow-list for weights_only loading
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module(force=True)
class RankMarkerHook(Hook):

    def after_run(self, runner):
        model = runner.model
        wrapper = type(model).__name__
        if is_model_wrapper(model):
            model = model.module
        flat = torch.cat([p.detach().double().flatten()
                          for p in model.parameters()])
        info = dict(rank=runner.rank, world_size=runner.world_size,
                    iter=runner.iter, wrapper=wrapper,
                    backend=torch.distributed.get_backend(),
                    params=flat[:64].tolist(), total=flat.sum().item())
        with open(osp.join(runner.work_dir, f'rank{runner.rank}.json'),
                  'w') as f:
            json.dump(info, f)
'''

CONFIG = '''
default_scope = 'mmpretrain'
custom_imports = dict(imports=['mmlgd', 'rank_marker_hook'],
                      allow_failed_imports=False)
model = dict(
    type='ImageClassifier',
    data_preprocessor=dict(num_classes=2, mean=[127.5] * 3, std=[127.5] * 3,
                           to_rgb=True),
    backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=2, in_channels=64))
train_dataloader = dict(
    batch_size=2, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='CustomDataset', data_root={data_root!r},
                 pipeline=[dict(type='LoadImageFromFile'),
                           dict(type='PackInputs')]))
train_cfg = dict(by_epoch=False, max_iters=3)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9))
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=3, by_epoch=False),
    logger=dict(type='LoggerHook', interval=1))
custom_hooks = [dict(type='RankMarkerHook')]
randomness = dict(seed=0)
'''


@pytest.mark.dist
@pytest.mark.e2e
def test_dist_train_two_cpu_ranks(tmp_path, free_port):
    import mmcv
    rng = np.random.default_rng(0)
    for cls in ('a', 'b'):
        for i in range(4):
            mmcv.imwrite(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8),
                         str(tmp_path / 'images' / cls / f'{i}.png'))
    (tmp_path / 'rank_marker_hook.py').write_text(MARKER_HOOK)
    config = tmp_path / 'tiny_dist.py'
    config.write_text(textwrap.dedent(
        CONFIG.format(data_root=str(tmp_path / 'images'))))
    work = tmp_path / 'work'

    env = dict(os.environ, PORT=str(free_port),
               PYTHONPATH=str(tmp_path),
               PATH=osp.dirname(sys.executable) + os.pathsep +
               os.environ.get('PATH', ''))
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), str(config), '2',
         '--work-dir', str(work)],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=150)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]

    ranks = [json.loads((work / f'rank{r}.json').read_text())
             for r in (0, 1)]
    for r, info in enumerate(ranks):
        assert info['rank'] == r and info['world_size'] == 2
        assert info['iter'] == 3
        assert info['wrapper'] == 'MMDistributedDataParallel'
        assert info['backend'] == 'gloo'
    assert ranks[0]['params'] == ranks[1]['params']
    assert ranks[0]['total'] == ranks[1]['total']
    ckpt = torch.load(str(work / 'iter_3.pth'), weights_only=True)
    assert ckpt['meta']['iter'] == 3
