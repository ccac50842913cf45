"""The SEED configs: the reference's queue and temperatures on LGD's
teacher, student, data, schedule and runtime; each trains two iterations on
CPU with the tiny open_clip teacher and random 32 px PNGs."""
import os.path as osp

import _tiny_lgd as tl  # tests/ is on pytest's pythonpath (pyproject.toml)
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import mmlgd  # noqa: F401  registers modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

CFG = osp.join(REPO, 'configs')
PAIRS = {  # SEED config -> the LGD config it must match except the method
    'in1k': ('seed/seed_clip-rn50_resnet18_8xb256-200e_in1k.py',
             'lgd/lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'),
    'fashion-mnist': (
        'fashion_mnist/seed_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
        'fashion_mnist/lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'),
}
SHARED = ('train_dataloader', 'optim_wrapper', 'param_scheduler',
          'train_cfg', 'default_hooks', 'randomness', 'env_cfg')


def _load(name):
    seed, lgd = PAIRS[name]
    return (Config.fromfile(osp.join(CFG, seed)),
            Config.fromfile(osp.join(CFG, lgd)))


@pytest.mark.parametrize('name', sorted(PAIRS))
def test_seed_config_is_lgd_recipe_with_seed_method(name):
    seed, lgd = _load(name)
    m, ref = seed.model, lgd.model
    assert m.type == 'SEED' and 'tsb' not in m
    for key in ('target_generator', 'data_preprocessor'):
        assert m[key] == ref[key], key
    assert m.backbone == ref.backbone
    assert m.neck == dict(type='StudentProjector',
                          in_channels=ref.neck.in_channels)
    # reference defaults: --temp 0.2, --distill-t 1e-4
    assert (m.head.student_temp, m.head.teacher_temp) == (0.2, 1e-4)
    for key in SHARED:
        assert seed.get(key) == lgd.get(key), key
    hooks = [h['type'] for h in seed.custom_hooks]
    # LGD's zero-shot val goes through its TSB; SEED has none
    assert hooks == [h['type'] for h in lgd.custom_hooks
                     if h['type'] != 'TeacherZeroShotHook'] + [
        'EmbeddingQueueCheckHook']
    batch = seed.train_dataloader.batch_size
    world = 8 if name == 'in1k' else 1
    assert m.queue.size % (world * batch) == 0
    assert m.queue.size == (65536 if name == 'in1k' else 4096)


def _shrink(cfg, tiny_clip, images, work_dir, name, load_step=False):
    tl.walk(cfg.model, tl._to_cpu_friendly)
    pipeline = cfg.train_dataloader.dataset.pipeline
    tl.walk(pipeline, tl._to_cpu_friendly)
    if load_step:  # the Fashion-MNIST reader yields arrays, PNGs need one
        pipeline = [dict(type='LoadImageFromFile')] + list(pipeline)
    teacher = cfg.model.target_generator
    cfg.model.target_generator = tl.tiny_teacher(
        tiny_clip, **{k: teacher[k] for k in ('data_mean', 'data_std')
                      if k in teacher})
    cfg.train_dataloader = tl.train_dataloader(images, pipeline)
    cfg.optim_wrapper.type = 'OptimWrapper'
    cfg.optim_wrapper.pop('loss_scale', None)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2)
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.update(work_dir=work_dir, experiment_name=name, log_level='WARNING',
               launcher='none')
    return cfg


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('seed_cfg_images'))
    tl.write_images(root, 4)
    return root


@pytest.mark.e2e
@pytest.mark.parametrize('name', sorted(PAIRS))
def test_seed_config_trains_two_iters(name, tiny_clip, images, tmp_path):
    cfg, _ = _load(name)
    cfg = _shrink(cfg, tiny_clip, images, str(tmp_path / 'work'),
                  f'seedcfg_{name}', load_step=name == 'fashion-mnist')
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        runner = Runner.from_cfg(cfg)
        model = runner.model
        queue0 = model.queue.embeddings.clone()
        student0 = model.backbone.conv1.weight.clone()
        runner.train()
    finally:
        torch.set_num_threads(threads)
    assert runner.iter == 2
    assert int(model.queue.ptr) == 4  # two batches of 2
    assert not torch.equal(model.queue.embeddings[:4], queue0[:4])
    assert torch.equal(model.queue.embeddings[4:], queue0[4:])
    assert not torch.equal(model.backbone.conv1.weight, student0)
    loss = runner.message_hub.get_scalar('train/loss_seed').current()
    assert loss > 0 and torch.isfinite(torch.tensor(loss))


@pytest.mark.e2e
def test_queue_not_multiple_of_global_batch_stops_before_step_one(
        tiny_clip, images, tmp_path):
    cfg, _ = _load('fashion-mnist')
    cfg = _shrink(cfg, tiny_clip, images, str(tmp_path / 'work'),
                  'seedcfg_badbatch', load_step=True)
    cfg.train_dataloader.batch_size = 3  # 4096 % 3 != 0
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError, match=r'EmbeddingQueue size 4096 is not a '
                       r'multiple of the global batch 3.*e\.g\. 4095'):
        runner.train()
    assert runner.iter == 0 and int(runner.model.queue.ptr) == 0
