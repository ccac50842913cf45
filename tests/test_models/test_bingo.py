"""BINGO: loss, CutMix, bag construction (kNN, neighbour file) and the bag
switch against references written in this file from BINGO's equations (Xu
et al., ICLR 2022, Sec. 3; configs/bingo/README.md), and bad input."""
import inspect
import math
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from _tiny_clip import tiny_teacher
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from mmlgd.apis.bingo_neighbours import nearest_neighbours
from mmlgd.datasets.bag_of_instances import (
    cutmix_box,
    load_neighbours,
    save_neighbours,
)
from mmlgd.datasets.fashion_mnist import splits
from mmlgd.models import BINGOHead
from mmlgd.models.algorithms.bingo import mix_images
from mmlgd.utils.configs import config_path


def unit(*shape, g=None):
    return F.normalize(torch.randn(*shape, generator=g), dim=-1)


def ref_nce(x, pos, queue, t):
    """-log( e^{<x,pos>/t} / (e^{<x,pos>/t} + sum_j e^{<x,Q_j>/t}) ),
    scalar float64 arithmetic."""
    a = [float(x @ pos) / t] + [float(x @ qj) / t for qj in queue]
    top = max(a)
    return -(a[0] - top - math.log(sum(math.exp(v - top) for v in a)))


def reference_loss(q, p, m, k, kb, queue, r, w, t=0.2):
    q, p, m, k, kb, queue = (v.double() for v in (q, p, m, k, kb, queue))
    total = 0.0
    for i in range(q.shape[0]):
        ri = float(r[i])
        total += ((1 - w) * ref_nce(q[i], k[i], queue, t) +
                  w * ref_nce(q[i], kb[i], queue, t) +
                  (1 - w) * ref_nce(p[i], kb[i], queue, t) +
                  w * ref_nce(p[i], k[i], queue, t) +
                  ri * ref_nce(m[i], k[i], queue, t) +
                  (1 - ri) * ref_nce(m[i], kb[i], queue, t))
    return total / q.shape[0] / 3


@pytest.mark.parametrize('w,t', [(0.0, 0.2), (0.5, 0.2), (0.3, 1.0)])
def test_head_matches_equations(w, t):
    g = torch.Generator().manual_seed(0)
    B, K, D = 5, 7, 6
    emb = [unit(B, D, g=g) for _ in range(5)]
    queue, r = unit(K, D, g=g), torch.rand(B, generator=g)
    out = BINGOHead(temperature=t).loss(*emb, queue, r, w)
    ref = reference_loss(*emb, queue, r, w, t)
    assert abs(float(out['loss_bingo']) - ref) <= 1e-5 * max(1, ref)
    q, p, _, k, kb = emb
    bag = np.mean([(ref_nce(q[i].double(), kb[i].double(), queue.double(),
                            t) + ref_nce(p[i].double(), k[i].double(),
                                         queue.double(), t)) / 2
                   for i in range(B)])
    assert abs(float(out['bag_nce']) - bag) <= 1e-5 * max(1, bag)
    assert float(out['bag_weight']) == pytest.approx(w)
    agree = np.mean([float(q[i] @ k[i]) > max(float(q[i] @ qj)
                                              for qj in queue)
                     for i in range(B)])
    assert float(out['agree_pos']) == pytest.approx(agree)


def test_head_rejects_bad_weight_and_temperature():
    with pytest.raises(ValueError, match='temperature must be > 0'):
        BINGOHead(temperature=0)
    e = unit(2, 4)
    with pytest.raises(ValueError, match=r'bag weight must be in \[0, 1\]'):
        BINGOHead().loss(e, e, e, e, e, unit(3, 4), torch.ones(2), 1.5)


def test_mix_images_matches_pixel_loop():
    g = torch.Generator().manual_seed(1)
    img, bag = torch.rand(3, 2, 6, 5, generator=g), \
        torch.rand(3, 2, 6, 5, generator=g)
    boxes = torch.tensor([[0, 6, 0, 5], [1, 3, 2, 5], [2, 2, 0, 4]])
    mixed, ratio = mix_images(img, bag, boxes)
    for i, (y1, y2, x1, x2) in enumerate(boxes.tolist()):
        ref = img[i].clone()
        for y in range(y1, y2):
            for x in range(x1, x2):
                ref[:, y, x] = bag[i, :, y, x]
        assert torch.equal(mixed[i], ref)
        assert float(ratio[i]) == pytest.approx(1 - (y2 - y1) * (x2 - x1)
                                                / 30)


def test_cutmix_box_inside_image_and_beta_area():
    np.random.seed(0)
    boxes = [cutmix_box(32, 24, 2.0) for _ in range(2000)]
    for y1, y2, x1, x2 in boxes:
        assert 0 <= y1 <= y2 <= 32 and 0 <= x1 <= x2 <= 24
    # before clipping the box covers ~(1 - lam), E[lam] = 1/2 for Beta(2,2);
    # clipping at the borders only shrinks it
    area = np.mean([(b[1] - b[0]) * (b[3] - b[2]) / (32 * 24)
                    for b in boxes])
    assert 0.2 < area < 0.5


def brute_force_knn(emb, k):
    out = []
    for i in range(len(emb)):
        d = sorted((float(((emb[i] - emb[j]) ** 2).sum()), j)
                   for j in range(len(emb)) if j != i)
        out.append([j for _, j in d[:k]])
    return np.array(out)


def test_nearest_neighbours_match_l2_brute_force():
    emb = unit(23, 5, g=torch.Generator().manual_seed(2))
    for chunk in (4, 1024):
        got = nearest_neighbours(emb, 3, chunk=chunk)
        assert np.array_equal(got, brute_force_knn(emb, 3))
    with pytest.raises(ValueError, match=r'k=23 neighbours need 1 <= k < '
                       r'the number of images \(23\)'):
        nearest_neighbours(emb, 23)


class FakeDataset:
    """``len`` and ``get_data_info`` of a file dataset."""

    def __init__(self, names, root='/data'):
        self.names, self.data_root = list(names), root

    def __len__(self):
        return len(self.names)

    def get_data_info(self, i):
        return dict(img_path=osp.join(self.data_root, self.names[i]))


def test_neighbour_file_round_trip_and_refusals(tmp_path):
    ds = FakeDataset([f'{i}.png' for i in range(6)])
    table = np.array([[(i + 1) % 6, (i + 2) % 6, (i + 3) % 6]
                      for i in range(6)])
    path = str(tmp_path / 'nb.npz')
    save_neighbours(path, table, ds)
    assert np.array_equal(load_neighbours(path, ds, 2), table[:, :2])
    with pytest.raises(FileExistsError):
        save_neighbours(path, table, ds)
    with pytest.raises(ValueError, match=r'bags of another dataset.*'
                       r'tools/bingo_neighbours.py'):
        load_neighbours(path, FakeDataset([f'{i}.png' for i in range(7)]),
                        2)
    renamed = FakeDataset(['x.png'] + ds.names[1:])
    with pytest.raises(ValueError, match='images, their order'):
        load_neighbours(path, renamed, 2)
    with pytest.raises(ValueError, match=r'1 <= k <= 3'):
        load_neighbours(path, ds, 4)
    with pytest.raises(FileNotFoundError, match='tools/bingo_neighbours'):
        load_neighbours(str(tmp_path / 'none.npz'), ds, 2)
    with pytest.raises(ValueError, match=r'\(6, k\) indices'):
        save_neighbours(str(tmp_path / 'bad.npz'), table + 6, ds)


def demo_schedule():
    """(bag_weight, bag_start, max_iters) of the demo BINGO config."""
    cfg = Config.fromfile(config_path(
        'fashion_mnist/bingo_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'))
    n = inspect.signature(splits.prepare).parameters['n_pretrain'].default
    per_epoch = n // cfg.train_dataloader.batch_size  # drop_last=True
    assert cfg.train_dataloader.drop_last
    return cfg.model, cfg.train_cfg.max_epochs * per_epoch


def bingo_model(tiny_clip, **kw):
    torch.manual_seed(0)
    cfg = dict(type='BINGO', backbone=dict(type='ResNet', depth=18,
                                           base_channels=8, stem_channels=8),
               neck=dict(type='StudentProjector', in_channels=64),
               head=dict(type='BINGOHead'),
               target_generator=tiny_teacher(tiny_clip),
               queue=dict(type='EmbeddingQueue', size=8))
    cfg.update(kw)
    return MODELS.build(cfg)


def views(n=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = [torch.rand(n, 3, 32, 32, generator=g) for _ in range(4)]
    samples = [DataSample(metainfo=dict(cutmix_box=(i, 20, 3, 30 - i)))
               for i in range(n)]
    return x, samples


def set_progress(it, total):
    hub = MessageHub.get_instance(f'bingo_test_{it}_{total}')
    hub.update_info('iter', it)
    hub.update_info('max_iters', total)


def test_bag_term_on_with_gradient_on_demo_schedule(tiny_clip):
    demo, total = demo_schedule()
    model = bingo_model(tiny_clip, bag_weight=demo.bag_weight,
                        bag_start=demo.bag_start)
    start = math.ceil(11 / 200 * total)
    assert total == 312 and start == 18
    weights = [model.bag_weight_at(i, total) for i in range(total)]
    assert weights[:start] == [0.0] * start
    assert weights[start:] == [0.5] * (total - start)
    # the reference's 200 epochs: off for epochs 0-10, on from epoch 11
    assert model.bag_weight_at(11 * 50 - 1, 200 * 50) == 0.0
    assert model.bag_weight_at(11 * 50, 200 * 50) == 0.5

    x, samples = views()
    grads, outs = [], []
    for it in (start - 1, start + 100):
        set_progress(it, total)
        queue = model.queue.embeddings.clone()
        model.zero_grad()
        out = model.loss(x, samples)
        out['loss_bingo'].backward()
        model.queue.embeddings.copy_(queue)
        model.queue.ptr.zero_()
        outs.append(out)
        grads.append(model.backbone.conv1.weight.grad.clone())
    assert float(outs[0]['bag_weight']) == 0.0
    assert float(outs[1]['bag_weight']) == 0.5
    assert float(outs[1]['bag_nce']) > 0
    # same inputs and state: the difference is the bag term's gradient
    assert (grads[1] - grads[0]).abs().sum() > 0


def test_step_matches_reference_and_enqueues_teacher_images(tiny_clip):
    model = bingo_model(tiny_clip, bag_start=0.0)
    model.train()
    set_progress(0, 10)
    x, samples = views(seed=3)
    q0 = model.queue.embeddings.clone()
    out = model.loss(x, samples)
    t = model.target_generator
    k, kb = t(x[1]), t(x[3])
    boxes = torch.tensor([s.cutmix_box for s in samples])
    mixed, r = mix_images(x[0], x[2], boxes)
    with torch.no_grad():
        torch.manual_seed(0)
        emb = [model.embed(v) for v in (x[0], x[2], mixed)]
    ref = reference_loss(*emb, k, kb, q0, r, 0.5)
    assert abs(float(out['loss_bingo'].detach()) - ref) <= 1e-4 * max(1, ref)
    torch.testing.assert_close(model.queue.embeddings[:4], k, rtol=0,
                               atol=1e-6)
    assert torch.equal(model.queue.embeddings[4:], q0[4:])


def test_bad_input_errors(tiny_clip):
    model = bingo_model(tiny_clip)
    x, samples = views()
    set_progress(0, 10)
    with pytest.raises(ValueError, match='BagOfInstancesDataset'):
        model.loss(x[:2], samples)
    with pytest.raises(ValueError, match='cutmix_box'):
        model.loss(x, [DataSample() for _ in samples])
    MessageHub.get_instance('bingo_test_empty')
    with pytest.raises(RuntimeError, match='MessageHub'):
        model.loss(x, samples)
    with pytest.raises(ValueError, match='queue dimension 16'):
        bingo_model(tiny_clip, queue=dict(type='EmbeddingQueue', size=8,
                                          dim=16))
    with pytest.raises(ValueError, match=r'bag_weight and bag_start'):
        bingo_model(tiny_clip, bag_start=2.0)


def test_checkpoint_keys_are_seeds(tiny_clip):
    """A BINGO checkpoint holds what a SEED one does (student, projector,
    queue; no teacher), so SEED's zero-shot and transfer commands read it."""
    bingo = bingo_model(tiny_clip).state_dict()
    seed = bingo_model(tiny_clip, type='SEED', head=dict(type='SEEDHead'))
    assert set(bingo) == set(seed.state_dict())
    assert {'queue.embeddings', 'queue.ptr'} <= set(bingo)
    assert not any(k.startswith('target_generator.') for k in bingo)
