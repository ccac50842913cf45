"""Every paper config builds, and every LGD config trains two iterations on
CPU with tiny substitutes (tiny open_clip teacher and text encoder, random
32 px PNGs) while keeping its own class set, student and pipeline."""
import glob
import os
import os.path as osp

import _tiny_lgd as tl  # tests/ is on pytest's pythonpath (pyproject.toml)
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import mmlgd  # noqa: F401  registers modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# The own-data template (a names file and folders of the user's) runs on a
# generated folder in tests/test_apis/test_own_data.py instead.
LGD_CONFIGS = sorted(p for p in glob.glob(osp.join(REPO, 'configs', 'lgd',
                                                   '*.py'))
                     if not p.endswith('_custom-folder.py'))
ZERO_SHOT_CONFIGS = sorted(
    glob.glob(osp.join(REPO, 'configs', 'benchmarks', 'zero-shot_*.py')))
NUM_CLASSES = {'imagenet1k': 1000, 'lvis_v1': 1203, 'lvis_v0.5': 1230,
               'coco': 80, 'ade20k': 150, 'cityscapes': 19, 'caltech256': 256}


@pytest.fixture(scope='module')
def one_thread():
    """Two busy cores: intra-op threads only add contention here."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='session')
def tsb_cache_shared(tmp_path_factory):
    """One TSB cache for all configs: same classes, same key, one build."""
    return str(tmp_path_factory.mktemp('tsb_cache_shared'))


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('lgd_cfg_images'))
    tl.write_images(root, 4)
    return root


def test_configs_found():
    assert len(LGD_CONFIGS) >= 14
    assert len(ZERO_SHOT_CONFIGS) == 6


def _reference_vsb(vsb, init, z_ts, labels, mu):
    """LGKA by hand, float64: first write = mean, then EMA."""
    vsb, init = vsb.double().clone(), init.clone()
    for z_t, y in zip(z_ts, labels):
        for k in y.unique().tolist():
            m = z_t[y == k].double().mean(0)
            vsb[k] = mu * vsb[k] + (1 - mu) * m if init[k] else m
            init[k] = True
    return vsb, init


@pytest.mark.e2e
@pytest.mark.parametrize('path', LGD_CONFIGS, ids=osp.basename)
def test_lgd_config_trains_two_iters(path, tiny_clip, images,
                                     tsb_cache_shared, tmp_path, one_thread):
    cfg = Config.fromfile(path)
    classes = cfg.model.tsb.classes
    mu = cfg.model.neck.momentum
    name = osp.splitext(osp.basename(path))[0]
    tl.shrink_lgd_cfg(cfg, tiny_clip, images, tsb_cache_shared,
                      str(tmp_path / 'work'), f'cfgtest_{name}')
    validates = cfg.get('val_cfg') is not None
    if validates:  # the config's own val pipeline on a labelled folder
        cfg.val_dataloader = _tiny_val_loader(cfg.val_dataloader, tmp_path)
    runner = Runner.from_cfg(cfg)
    rec = tl.LGDRecorderHook()
    runner.register_hook(rec)
    model = runner.model
    assert tuple(model.tsb.weight.shape) == (NUM_CLASSES[classes], 32)
    assert model.tsb.cache_path.startswith(tsb_cache_shared)
    before = tl.state(model)

    runner.train()

    assert runner.iter == 2 and len(rec.outputs) == 2
    for out in rec.outputs:
        for key in ('loss_tex', 'loss_vis'):
            assert key in out and torch.isfinite(torch.tensor(out[key]))
            assert out[key] > 0
    # VSB: exactly the pseudo-labelled rows changed, as LGKA prescribes.
    neck = model.neck
    seen = torch.cat(rec.labels).unique()
    expected_init = torch.zeros_like(rec.init_before)
    expected_init[seen] = True
    assert torch.equal(neck.vsb_initialized, expected_init)
    changed = (neck.vsb != rec.vsb_before).any(dim=1)
    assert torch.equal(changed, expected_init)
    ref, _ = _reference_vsb(rec.vsb_before, rec.init_before, rec.z_t,
                            rec.labels, mu)
    torch.testing.assert_close(neck.vsb.double(), ref, atol=1e-6, rtol=0)
    # The student learned; the frozen teacher did not move.
    after = tl.state(model)
    student = [k for k, p in model.backbone.named_parameters()]
    assert any(not torch.equal(before[f'backbone.{k}'],
                               after[f'backbone.{k}']) for k in student)
    teacher = [k for k in before if k.startswith('target_generator.')]
    assert teacher and all(torch.equal(before[k], after[k]) for k in teacher)
    assert not any(p.requires_grad
                   for p in model.target_generator.parameters())
    # Zero-shot val (student through the TSB, teacher once) at the end.
    hub = runner.message_hub
    for key in ('accuracy/top1', 'accuracy/top5',
                'teacher_zero_shot/top1'):
        assert (f'val/{key}' in hub.log_scalars) == validates, key
    if validates:
        assert 0 <= hub.get_scalar('val/accuracy/top1').current() <= 100


def _tiny_eval_dataset(dataset, root):
    """The config's own eval dataset (ImageNet val list or the Caltech-256
    split list: label k = TSB row k) over 4 labelled 40 px PNGs (labels 0,
    1) written in its layout under ``root``; crops at 32 px."""
    lines = []
    for label in (0, 1):
        for prefix in ('val', '256_ObjectCategories'):
            tl.write_images(osp.join(root, prefix), 2, seed=label,
                            sub=f'c{label}')
        lines += [f'c{label}/img_{i:03d}.png {label}' for i in range(2)]
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    with open(osp.join(root, 'meta', 'val.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    tl.walk(dataset.pipeline, _small_eval)
    return dict(dataset, data_root=root, serialize_data=False)


def _tiny_val_loader(loader, tmp_path):
    """The config's val set, shrunk (:func:`_tiny_eval_dataset`)."""
    return dict(batch_size=2, num_workers=0, persistent_workers=False,
                sampler=dict(type='DefaultSampler', shuffle=False),
                collate_fn=loader.collate_fn,
                dataset=_tiny_eval_dataset(loader.dataset,
                                           str(tmp_path / 'val')))


def _shrink_zero_shot(cfg, tiny_clip, data_root, cache_dir, work_dir, name):
    cfg.model.tsb.encoder = tl.tiny_text_encoder(tiny_clip)
    cfg.model.tsb.update(templates=tl.TEMPLATES[:1], cache_dir=cache_dir,
                         use_tqdm=False)
    if cfg.model.get('image_encoder') is not None:
        cfg.model.image_encoder = tl.tiny_teacher(tiny_clip)
    cfg.test_dataloader.update(batch_size=2, num_workers=0)
    cfg.test_dataloader.dataset = _tiny_eval_dataset(
        cfg.test_dataloader.dataset, data_root)
    cfg.update(work_dir=work_dir, experiment_name=name, log_level='WARNING',
               launcher='none')
    return cfg


def _small_eval(d):
    if d.get('type') == 'ResizeEdge':
        d['scale'] = 36
    if d.get('type') == 'CenterCrop':
        d['crop_size'] = tl.SIZE


@pytest.mark.e2e
@pytest.mark.parametrize('path', ZERO_SHOT_CONFIGS, ids=osp.basename)
def test_zero_shot_config_builds_and_tests(path, tiny_clip, tsb_cache_shared,
                                           tmp_path, one_thread):
    data_root = str(tmp_path / 'val')
    cfg = Config.fromfile(path)
    # the authors' zero-shot resize: short edge 256 bilinear, crop 224
    resize = cfg.test_dataloader.dataset.pipeline[1]
    assert (resize.type, resize.scale, resize.interpolation) == (
        'ResizeEdge', 256, 'bilinear')
    assert cfg.test_dataloader.dataset.pipeline[2].crop_size == 224
    name = osp.splitext(osp.basename(path))[0]
    _shrink_zero_shot(cfg, tiny_clip, data_root, tsb_cache_shared,
                      str(tmp_path / 'work'), f'cfgtest_{name}')
    runner = Runner.from_cfg(cfg)
    model = runner.model
    classes = cfg.model.tsb.classes
    assert tuple(model.tsb.weight.shape) == (NUM_CLASSES[classes], 32)
    assert model.logit_scale == 100.0

    metrics = runner.test()

    assert set(metrics) == {'accuracy/top1', 'accuracy/top5'}
    # 4 images: accuracy in steps of 25 %, top-5 never below top-1
    assert metrics['accuracy/top1'] % 25 == 0
    assert metrics['accuracy/top5'] >= metrics['accuracy/top1']
    x = torch.randn(2, 3, tl.SIZE, tl.SIZE)
    with torch.no_grad():
        logits = model(x)
        z = model.extract_feat(x)
    torch.testing.assert_close(z.norm(dim=1), torch.ones(2))
    torch.testing.assert_close(logits, 100.0 * z @ model.tsb.weight.T)


LINEAR_PROBE_CONFIGS = sorted(glob.glob(osp.join(
    REPO, 'configs', 'benchmarks', 'linear-probe_*_4xb512-*.py')))


def _small_train(d):
    if d.get('type') == 'RandomResizedCrop':
        d['scale'] = tl.SIZE
    _small_eval(d)


@pytest.mark.e2e
@pytest.mark.parametrize('path', LINEAR_PROBE_CONFIGS, ids=osp.basename)
def test_linear_probe_config_trains_two_iters(path, tmp_path, one_thread):
    """Frozen student from a (fabricated) LGD checkpoint, linear head
    trained for 2 iterations on the config's own pipelines, then validated.
    """
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(path)
    backbone_cfg = dict(cfg.model.backbone)
    backbone_cfg.pop('init_cfg')
    student = MODELS.build(backbone_cfg).state_dict()
    ckpt = str(tmp_path / 'lgd.pth')
    torch.save({'state_dict': {f'backbone.{k}': v
                               for k, v in student.items()}}, ckpt)
    cfg.model.backbone.init_cfg.checkpoint = ckpt
    root = str(tmp_path / 'data')
    for label in ('a', 'b'):
        tl.write_images(root, 2, seed=ord(label), sub=label)
    for name, small in (('train', _small_train), ('val', _small_eval)):
        loader = cfg[f'{name}_dataloader']
        tl.walk(loader.dataset.pipeline, small)
        loader.dataset = dict(type='CustomDataset', data_root=root,
                              serialize_data=False,
                              pipeline=loader.dataset.pipeline)
        loader.update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.test_dataloader = cfg.val_dataloader
    cfg.train_cfg.update(max_epochs=1, val_interval=1)
    cfg.default_hooks.checkpoint = None
    cfg.update(work_dir=str(tmp_path / 'work'), log_level='WARNING',
               launcher='none')
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    model = runner.model
    # the frozen student (weights and BN statistics) is the checkpoint's,
    # bit for bit, after 2 steps at lr >= 30
    own = model.backbone.state_dict()
    changed = [k for k, v in student.items() if not torch.equal(own[k], v)]
    assert not changed, changed[:4]
    assert 'val/accuracy/top1' in runner.message_hub.log_scalars
