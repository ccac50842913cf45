"""Distributed LGD on CPU (gloo): the VSB stays identical across ranks and
equals one process fed the concatenated batch; ``tools/dist_train.sh``
trains the tiny LGD model on two processes and logs the effective batch."""
import glob
import os
import os.path as osp
import subprocess
import sys

import _dist_workers as dw
import _tiny_lgd as tl
import pytest
import torch
import torch.multiprocessing as mp

import mmlgd  # noqa: F401  allow-list for weights_only loading

HERE = osp.dirname(osp.abspath(__file__))


def _load(path):
    return torch.load(path, map_location='cpu', weights_only=True)


@pytest.mark.dist
def test_lgka_two_ranks_equal_concatenated_batch(tmp_path):
    world = 2
    mp.spawn(dw.lgka_worker, nprocs=world, join=True,
             args=(world, str(tmp_path / 'init'), str(tmp_path)))
    ranks = [_load(str(tmp_path / f'rank{r}.pt')) for r in range(world)]

    single = dw.new_neck()
    tsb, steps = dw.lgka_data(world)
    for r, out in enumerate(ranks):  # each rank labelled its own batch
        for step, z in enumerate(steps):
            assert torch.equal(out['labels'][step],
                               single.pseudo_labels(z[r], tsb))
    for z in steps:
        single.update_vsb(torch.cat(z), tsb)

    # identical on both ranks, bit for bit (one all-reduce result) ...
    assert torch.equal(ranks[0]['vsb'], ranks[1]['vsb'])
    assert torch.equal(ranks[0]['init'], ranks[1]['init'])
    # ... and equal to the single process on the concatenated batch
    torch.testing.assert_close(ranks[0]['vsb'], single.vsb, atol=1e-6,
                               rtol=0)
    assert torch.equal(ranks[0]['init'], single.vsb_initialized)
    # categories seen on one rank only were still written on both
    only_r1 = set(torch.cat(ranks[1]['labels']).tolist()) - set(
        torch.cat(ranks[0]['labels']).tolist())
    assert only_r1 and all(ranks[0]['init'][k] for k in only_r1)
    assert not ranks[0]['init'].all()  # category 6 never occurs
    # FiniteLossHook: a NaN on rank 1 stops rank 0 at the same iteration
    for out in ranks:
        assert out['error'] is not None and 'iteration 5' in out['error']
    assert 'another rank' in ranks[0]['error']
    assert "'loss'" in ranks[1]['error']


@pytest.mark.dist
@pytest.mark.e2e
def test_dist_train_sh_keeps_banks_identical(tiny_clip, tmp_path, free_port):
    data = str(tmp_path / 'images')
    tl.write_images(data, 12)  # 6 per rank: 3 iterations, one epoch
    cfg = tl.write_lgd_config(
        str(tmp_path / 'lgd_dist.py'), tiny_clip, data,
        str(tmp_path / 'tsb'), extra_hooks=[dict(type='BankDumpHook')],
        sampler=dict(type='DefaultSampler', shuffle=True, seed=0),
        custom_imports=dict(imports=['mmlgd', '_dist_workers'],
                            allow_failed_imports=False),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=3),
        auto_scale_lr=dict(base_batch_size=8))
    work = tmp_path / 'work'
    env = dict(os.environ, PORT=str(free_port), OMP_NUM_THREADS='1',
               PYTHONPATH=osp.dirname(HERE),  # tests/: _dist_workers
               PATH=osp.dirname(sys.executable) + os.pathsep +
               os.environ.get('PATH', ''))
    proc = subprocess.run(
        ['bash', osp.join(tl.REPO, 'tools', 'dist_train.sh'), cfg, '2',
         '--work-dir', str(work), '--auto-scale-lr'],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=240)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]

    ranks = [_load(str(work / f'bank_rank{r}.pt')) for r in (0, 1)]
    for r, out in enumerate(ranks):
        assert (out['rank'], out['world_size'], out['iter']) == (r, 2, 3)
        assert out['wrapper'] == 'MMDistributedDataParallel'
        # lr 0.05 for a batch of 8, scaled to the effective batch 2 x 2
        assert out['effective_batch_size'] == 4
        assert out['base_lr'] == pytest.approx(0.025)
    assert not set(ranks[0]['indices']) & set(ranks[1]['indices'])
    assert torch.equal(ranks[0]['params'], ranks[1]['params'])
    assert torch.equal(ranks[0]['vsb'], ranks[1]['vsb'])
    assert torch.equal(ranks[0]['init'], ranks[1]['init'])
    assert ranks[0]['init'].any()
    ckpt = _load(str(work / 'iter_3.pth'))
    assert torch.equal(ckpt['state_dict']['neck.vsb'], ranks[1]['vsb'])
    assert torch.equal(ckpt['state_dict']['neck.vsb_initialized'],
                       ranks[1]['init'])
    logs = glob.glob(str(work / '*' / '*.log'))
    assert len(logs) == 1
    with open(logs[0]) as f:
        log = f.read()
    assert ('Effective batch size 4 = 2 process(es) x 2 per process; '
            'base lr 0.025 (1.6 per 256 images)') in log
    assert 'auto_scale_lr on, base_batch_size=8' in log
