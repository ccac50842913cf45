"""CUDA runs end to end (``pytest -m cuda``; skipped with a reason without a
GPU): a cached-teacher step, zero-shot classification, a 1-process NCCL
``tools/train.py --amp`` run of a shrunk paper config and the ONNX export
of the checkpoint it wrote.
"""
import copy
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from _cuda import CUDA, images, lgd_cfg
from _ports import find_free_port
from _tiny_lgd import write_images
from mmengine.config import Config
from mmpretrain.registry import MODELS

from mmlgd.testing.config_shrink import shrink_config
from mmlgd.utils.configs import config_path

pytestmark = CUDA
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PAPER = 'lgd/lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'


@pytest.fixture
def exact_cuda():
    """No TF32 in cuDNN / cuBLAS while CPU and CUDA results are compared."""
    before = (torch.backends.cudnn.allow_tf32,
              torch.backends.cuda.matmul.allow_tf32)
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    yield
    (torch.backends.cudnn.allow_tf32,
     torch.backends.cuda.matmul.allow_tf32) = before


def test_zero_shot_on_cuda_equals_cpu(tiny_clip, tsb_cache, exact_cuda):
    """The student's zero-shot prediction (softmax of 100 z_S L^T) on CUDA
    equals the same model's on CPU."""
    torch.manual_seed(0)
    model = MODELS.build(lgd_cfg(tiny_clip, tsb_cache)).eval()
    x = images(6, 'cpu') / 255
    want = [s.pred_score for s in model.predict(x)]
    got = [s for s in model.cuda().predict(x.cuda())]
    assert all(s.pred_score.device.type == 'cuda' for s in got)
    torch.testing.assert_close(torch.stack([s.pred_score.cpu()
                                            for s in got]),
                               torch.stack(want), atol=1e-4, rtol=0)


def test_cached_teacher_step_on_cuda(tiny_clip, tmp_path, exact_cuda):
    """A cache built on CUDA; one cached LGD step on CUDA equals the same
    step on CPU (loss, VSB); z_T comes to the model's device."""
    from _tiny_lgd import fixed_pipeline, write_lgd_config
    from mmengine.dataset import default_collate
    from mmengine.optim import OptimWrapper
    from mmpretrain.registry import DATASETS

    from mmlgd.apis import teacher_cache as tc
    write_images(str(tmp_path / 'imgs'), 4)
    cfg = Config.fromfile(write_lgd_config(
        str(tmp_path / 'cfg.py'), tiny_clip, str(tmp_path / 'imgs'),
        str(tmp_path / 'tsb'), pipeline=fixed_pipeline()))
    out = str(tmp_path / 'cache')
    tc.build_teacher_cache(cfg, out, 2, seed=1, batch_size=4, device='cuda')
    cached_cfg = tc.cached_config(cfg, out, num_views=2)
    ds = DATASETS.build(cached_cfg.train_dataloader.dataset)
    batch = default_collate([ds[(i, i % 2)] for i in range(4)])
    results = {}
    torch.manual_seed(0)
    built = MODELS.build(cached_cfg.model)
    for device in ('cpu', 'cuda'):
        model = copy.deepcopy(built).to(device).train()
        opt = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
        log = model.train_step(batch, opt)
        assert model.neck.vsb.device.type == device
        z_t = model.target_generator(torch.zeros(1, device=device),
                                     batch['data_samples'])
        assert z_t.device.type == device and z_t.shape == (4, 32)
        results[device] = (float(log['loss'].detach()), model.neck.vsb.cpu())
    assert torch.isfinite(torch.tensor(results['cuda'][0]))
    assert results['cuda'][0] == pytest.approx(results['cpu'][0], rel=1e-4,
                                               abs=1e-5)
    torch.testing.assert_close(results['cuda'][1], results['cpu'][1],
                               atol=1e-5, rtol=0)


MARKER_HOOK = '''
import json
import os.path as osp

import torch
import torch.distributed as dist
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module(force=True)
class CudaRunMarkerHook(Hook):
    """Writes what the run used, after training (rank 0)."""

    def __init__(self):
        self.losses = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.losses.append(float(outputs['loss']))

    def after_train(self, runner):
        model = runner.model
        inner = getattr(model, 'module', model)
        info = dict(
            backend=dist.get_backend() if dist.is_initialized() else None,
            world_size=dist.get_world_size() if dist.is_initialized() else 1,
            wrapper=type(model).__name__,
            optim_wrapper=type(runner.optim_wrapper).__name__,
            devices=sorted({t.device.type for t in inner.state_dict(
                ).values()}),
            iter=runner.iter, losses=self.losses,
            scale=float(runner.optim_wrapper.loss_scaler.get_scale())
            if hasattr(runner.optim_wrapper, 'loss_scaler') else None)
        with open(osp.join(runner.work_dir, 'cuda_run.json'), 'w') as f:
            json.dump(info, f)
'''


@pytest.fixture(scope='module')
def nccl_run(tiny_clip, tmp_path_factory):
    """``torchrun --nproc_per_node 1 tools/train.py <shrunk paper config>
    --launcher pytorch --amp`` with ``pin_memory=True``; returns
    (work_dir, marker info, the config without the marker hook)."""
    tmp = tmp_path_factory.mktemp('nccl')
    (tmp / 'cuda_run_marker.py').write_text(MARKER_HOOK)
    cfg = Config.fromfile(config_path(PAPER))
    work = str(tmp / 'work')
    # the package's shrinker of paper configs (the launch test's): tiny data
    # in the config's own format, tiny teacher and TSB, no validation; a
    # plain OptimWrapper that --amp turns into AmpOptimWrapper
    shrink_config(cfg, str(tmp / 'data'), tiny_clip, work, 'cuda_nccl',
                  device='cuda', amp=False, world_size=1,
                  tsb_cache=str(tmp / 'tsb'))
    cfg.train_dataloader.pin_memory = True  # as on GPUs; the shrinker's is off
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    plain = str(tmp / 'shrunk_plain.py')  # without the marker, for export
    cfg.dump(plain)
    cfg.custom_imports = dict(imports=['mmlgd', 'cuda_run_marker'],
                              allow_failed_imports=False)
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='CudaRunMarkerHook')]
    path = str(tmp / 'shrunk.py')
    cfg.dump(path)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT, str(tmp), os.environ.get('PYTHONPATH', '')]))
    cmd = [sys.executable, '-m', 'torch.distributed.run',
           '--nproc_per_node', '1', '--master_port', str(find_free_port()),
           osp.join(ROOT, 'tools', 'train.py'), path, '--launcher',
           'pytorch', '--amp', '--work-dir', work]
    proc = subprocess.run(cmd, cwd=str(tmp), env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    with open(osp.join(work, 'cuda_run.json')) as f:
        return work, json.load(f), plain


def test_nccl_amp_train_of_shrunk_paper_config(nccl_run):
    _, info, _ = nccl_run
    assert info['backend'] == 'nccl' and info['world_size'] == 1
    assert info['wrapper'] == 'MMDistributedDataParallel'
    assert info['optim_wrapper'] == 'AmpOptimWrapper'
    assert info['devices'] == ['cuda']
    assert info['iter'] == len(info['losses']) >= 2
    assert all(torch.isfinite(torch.tensor(info['losses'])))


def test_onnx_export_of_cuda_trained_checkpoint(nccl_run, tmp_path):
    """The checkpoint of the NCCL/AMP run exports and verifies
    (onnxruntime vs PyTorch: embeddings to 1e-4, same top-1)."""
    pytest.importorskip('onnxruntime')
    pytest.importorskip('onnxscript')
    from mmlgd.deployment import export_onnx
    work, _, cfg = nccl_run
    ckpt = osp.join(work, 'epoch_1.pth')
    assert osp.isfile(ckpt), os.listdir(work)
    report = export_onnx(cfg, str(tmp_path / 'student.onnx'), ckpt,
                         classes=['cat', 'dog', 'car'])
    assert report['top1_equal'] and report['max_abs_diff'] <= 1e-4
    assert osp.isfile(report['path'])
