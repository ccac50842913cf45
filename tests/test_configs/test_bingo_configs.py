"""The BINGO configs and the SEED tau_t = 0.01 variants: LGD's teacher,
student, augmentation, schedule and runtime with the method's own model;
the Fashion-MNIST BINGO config builds its bags with the neighbour tool and
trains two iterations on CPU with the tiny teacher and random PNGs."""
import copy
import glob
import os
import os.path as osp

import _tiny_lgd as tl  # tests/ is on pytest's pythonpath (pyproject.toml)
import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmpretrain.registry import DATASETS, MODELS

import mmlgd  # noqa: F401  registers modules
from mmlgd.apis.bingo_neighbours import build_neighbours
from mmlgd.cli.bingo_neighbours import main
from mmlgd.teacher_cache.store import TeacherCacheStore
from mmlgd.utils.configs import config_path

PAIRS = {  # BINGO config -> the LGD config of the same recipe
    'in1k': ('bingo/bingo_clip-rn50_resnet18_8xb256-200e_in1k.py',
             'lgd/lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'),
    'fashion-mnist': (
        'fashion_mnist/bingo_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
        'fashion_mnist/lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'),
}
SHARED = ('optim_wrapper', 'param_scheduler', 'train_cfg', 'default_hooks',
          'randomness', 'env_cfg')


def _cfg(name):
    return Config.fromfile(config_path(name))


@pytest.mark.parametrize('name', sorted(PAIRS))
def test_bingo_config_is_lgd_recipe_with_bingo_method(name):
    cfg, lgd = (_cfg(p) for p in PAIRS[name])
    m, ref = cfg.model, lgd.model
    assert m.type == 'BINGO' and 'tsb' not in m
    for key in ('target_generator', 'data_preprocessor', 'backbone'):
        assert m[key] == ref[key], key
    assert m.neck == dict(type='StudentProjector',
                          in_channels=ref.neck.in_channels)
    # reference: --moco_t 0.2, --lam 0.5,0.5 after epoch 10 of 200
    assert m.head.temperature == 0.2
    assert (m.bag_weight, m.bag_start) == (0.5, 11 / 200)
    for key in SHARED:
        assert cfg.get(key) == lgd.get(key), key
    loader, ref_loader = cfg.train_dataloader, lgd.train_dataloader
    for key in ('batch_size', 'sampler', 'drop_last', 'num_workers'):
        assert loader.get(key) == ref_loader.get(key), key
    bag, inner = loader.dataset, loader.dataset.dataset
    assert bag.type == 'BagOfInstancesDataset'
    assert (bag.num_neighbours, bag.cutmix_alpha) == (5, 2.0)
    for key in ('type', 'data_root', 'split'):
        assert inner[key] == ref_loader.dataset[key], key
    # LGD's one view, twice (the student's and the teacher's view)
    views = [t for t in inner.pipeline if t['type'] == 'MultiView']
    ref_views = [t for t in ref_loader.dataset.pipeline
                 if t['type'] == 'MultiView']
    assert views[0].num_views == 2 and ref_views[0].num_views == 1
    assert views[0].transforms == ref_views[0].transforms
    assert [h['type'] for h in cfg.custom_hooks] == [
        h['type'] for h in lgd.custom_hooks
        if h['type'] != 'TeacherZeroShotHook'] + ['EmbeddingQueueCheckHook']
    world = 8 if name == 'in1k' else 1
    assert m.queue.size % (world * loader.batch_size) == 0


@pytest.mark.parametrize('tt,base', [
    ('seed/seed-tt0.01_clip-rn50_resnet18_8xb256-200e_in1k.py',
     'seed/seed_clip-rn50_resnet18_8xb256-200e_in1k.py'),
    ('fashion_mnist/seed-tt0.01_tac-r18_resnet18_1xb128-2e_fashion-mnist.py',
     'fashion_mnist/seed_tac-r18_resnet18_1xb128-2e_fashion-mnist.py')])
def test_seed_tt001_differs_from_seed_in_teacher_temperature_only(tt, base):
    cfg, ref = _cfg(tt), _cfg(base)
    lgd = _cfg(base.replace('seed/seed_', 'lgd/lgd_').replace(
        'fashion_mnist/seed_', 'fashion_mnist/lgd_'))
    assert ref.model.head.teacher_temp == 1e-4
    assert cfg.model.head.teacher_temp == lgd.model.head.teacher_temp == 0.01
    a, b = cfg.to_dict(), ref.to_dict()
    a['model']['head'].pop('teacher_temp')
    b['model']['head'].pop('teacher_temp')
    assert a == b


def _shrink(cfg, tiny_clip, images, work_dir):
    """The Fashion-MNIST BINGO config on a PNG folder (a load step first),
    the tiny teacher, batch 2, 2 iterations, bags from ``work_dir``."""
    tl.walk(cfg.model, tl._to_cpu_friendly)
    load = [dict(type='LoadImageFromFile')]
    bag = cfg.train_dataloader.dataset
    inner = tl.train_dataloader(images, load + list(bag.dataset.pipeline))
    cfg.knn_pipeline = load + list(cfg.knn_pipeline)
    teacher = cfg.model.target_generator
    cfg.model.target_generator = tl.tiny_teacher(
        tiny_clip, data_mean=teacher.data_mean, data_std=teacher.data_std)
    cfg.model.queue.size = 8
    inner['dataset'].update(type='CustomDataset', data_root=images)
    cfg.train_dataloader = dict(
        inner, dataset=dict(bag, dataset=inner['dataset'],
                            neighbour_file=osp.join(work_dir, 'nb.npz'),
                            num_neighbours=2))
    cfg.optim_wrapper.type = 'OptimWrapper'
    cfg.optim_wrapper.pop('loss_scale', None)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2)
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.update(work_dir=work_dir, experiment_name='bingo_cfg',
               log_level='WARNING', launcher='none')
    return cfg


def write_distinct_images(root, n):
    """``n`` 40 px PNGs: a colour with a bar of its complement, of height
    6, 12, ...: images the random tiny teacher tells apart."""
    rng = np.random.default_rng(0)
    for i in range(n):
        c = rng.integers(0, 256, 3).astype(np.uint8)
        img = np.zeros((40, 40, 3), np.uint8) + c
        img[:(i + 1) * 6] = 255 - c
        mmcv.imwrite(img, osp.join(root, f'img_{i:03d}.png'))


def reference_embeddings(cfg, images):
    """Restated from compute_knn.py: the teacher's unit embeddings of each
    image resized to 32 px (the config's clean view), float64."""
    model = MODELS.build(cfg.model)
    paths = sorted(glob.glob(osp.join(images, '*.png')))
    x = torch.stack([torch.from_numpy(mmcv.imresize(
        mmcv.imread(p), (32, 32), backend='cv2')).permute(2, 0, 1)
        for p in paths])
    x = model.data_preprocessor(dict(inputs=[x], data_samples=None),
                                False)['inputs'][0]
    with torch.no_grad():
        return torch.nn.functional.normalize(
            model.target_generator(x).double(), dim=1)


@pytest.mark.e2e
def test_neighbour_tool_then_two_iterations(tiny_clip, tmp_path):
    images = str(tmp_path / 'images')
    write_distinct_images(images, 6)
    cfg = _shrink(_cfg(PAIRS['fashion-mnist'][0]), tiny_clip, images,
                  str(tmp_path / 'work'))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        path = build_neighbours(copy.deepcopy(cfg), k=3)
        table = np.load(path)['neighbours']
        emb = reference_embeddings(cfg, images)
        cached = TeacherCacheStore(path + '.teacher-cache').lookup(
            np.arange(6), np.zeros(6, np.int64))
        torch.testing.assert_close(torch.nn.functional.normalize(
            torch.from_numpy(cached).double(), dim=1), emb, rtol=0,
            atol=1e-6)
        sim = (emb @ emb.T).numpy()
        for i, row in enumerate(table):  # the k most similar others, in
            others = sorted((sim[i, j] for j in range(6) if j != i),
                            reverse=True)  # order (ties in any order)
            assert i not in row and len(set(row)) == 3
            np.testing.assert_allclose(sim[i, row], others[:3], atol=1e-6)
        with pytest.raises(SystemExit, match='already exists'):
            cfg.dump(str(tmp_path / 'bingo.py'))
            main([str(tmp_path / 'bingo.py'), '--k', '3'])
        runner = Runner.from_cfg(cfg)
        model = runner.model
        queue0 = model.queue.embeddings.clone()
        runner.train()
    finally:
        torch.set_num_threads(threads)
    # a sample: the image's 2 views, then a neighbour's from its bag
    bag = DATASETS.build(cfg.train_dataloader.dataset)
    for i in range(len(bag)):
        sample = bag[i]
        assert len(sample['inputs']) == 4
        assert sample['data_samples'].bag_index in table[i, :2]
        y1, y2, x1, x2 = sample['data_samples'].cutmix_box
        assert 0 <= y1 <= y2 <= 32 and 0 <= x1 <= x2 <= 32
    assert runner.iter == 2 and int(model.queue.ptr) == 4
    assert not torch.equal(model.queue.embeddings[:4], queue0[:4])
    hub = runner.message_hub
    loss = hub.get_scalar('train/loss_bingo').current()
    assert loss > 0 and np.isfinite(loss)
    # 2 iterations: bag term from ceil(0.055 x 2) = 1, the second one
    assert hub.get_scalar('train/bag_weight').current() == 0.5

    # a changed dataset (one image replaced) is refused before training
    tl.write_images(images, 1, sub='new')
    os.remove(osp.join(images, 'img_000.png'))
    with pytest.raises(ValueError, match='bags of another dataset'):
        Runner.from_cfg(cfg).train()
