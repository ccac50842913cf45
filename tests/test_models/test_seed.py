"""SEED: loss and FIFO queue against references written in this file from
SEED's equations (Fang et al., ICLR 2021, Sec. 3; configs/seed/README.md),
the algorithm's wiring, checkpoints and bad input."""
import math
import types

import pytest
import torch
import torch.nn.functional as F
from _tiny_clip import tiny_teacher
from mmengine.optim import OptimWrapper
from mmpretrain.registry import MODELS

from mmlgd.engine.hooks import EmbeddingQueueCheckHook
from mmlgd.models import EmbeddingQueue, SEEDHead


def unit(*shape, generator=None):
    return F.normalize(torch.randn(*shape, generator=generator), dim=-1)


def reference_loss(z_s, z_t, queue, tau_s, tau_t):
    """Per sample, float64 and scalar arithmetic for the softmax sums:
    s = [<z_S,z_T>, <z_S,q_1>, ..] / tau_s, t = softmax([<z_T,z_T>,
    <z_T,q_1>, ..] / tau_t), loss = mean_i -sum_j t_ij log softmax(s_i)_j."""
    z_s, z_t, queue = z_s.double(), z_t.double(), queue.double()
    total = 0.0
    for i in range(z_s.shape[0]):
        s = [float(z_s[i] @ z_t[i]) / tau_s] + [
            float(z_s[i] @ q) / tau_s for q in queue]
        t = [float(z_t[i] @ z_t[i]) / tau_t] + [
            float(z_t[i] @ q) / tau_t for q in queue]
        s_max, t_max = max(s), max(t)
        log_zs = s_max + math.log(sum(math.exp(v - s_max) for v in s))
        t_exp = [math.exp(v - t_max) for v in t]
        t_sum = sum(t_exp)
        total -= sum(e / t_sum * (v - log_zs) for e, v in zip(t_exp, s))
    return total / z_s.shape[0]


def reference_queue(initial, enqueued):
    """FIFO by definition: the m-th enqueued embedding (0-based, over all
    steps) sits at row m mod K until K later ones replaced it; rows never
    written keep their initial (random) value. Returns (queue, ptr)."""
    queue = initial.clone()
    size = queue.shape[0]
    for m, key in enumerate(torch.cat(enqueued) if enqueued else []):
        queue[m % size] = key
    count = sum(len(k) for k in enqueued)
    return queue, count % size


@pytest.mark.parametrize('tau_s,tau_t', [(0.2, 1e-4), (0.1, 0.05),
                                         (1.0, 0.5)])
def test_head_loss_matches_equations(tau_s, tau_t):
    g = torch.Generator().manual_seed(0)
    B, K, D = 6, 10, 8
    # At the reference tau_t = 1e-4 the random teacher target is one-hot
    # on the positive (the student side is checked); the larger tau_t give
    # soft targets (the teacher side). A soft target at 1e-4 would need
    # queue entries within ~1e-4 of z_T, below float32 resolution.
    z_s, z_t, queue = unit(B, D, generator=g), unit(B, D, generator=g), \
        unit(K, D, generator=g)
    head = SEEDHead(student_temp=tau_s, teacher_temp=tau_t)
    out = head.loss(z_s, z_t, queue)
    ref = reference_loss(z_s, z_t, queue, tau_s, tau_t)
    assert abs(float(out['loss_seed']) - ref) <= 1e-6 * max(1.0, abs(ref))
    s = torch.cat([(z_s * z_t).sum(1, keepdim=True), z_s @ queue.T], 1)
    assert float(out['agree_pos']) == float((s.argmax(1) == 0).float().mean())


def test_head_gradient_flows_to_student_only():
    z_s = unit(4, 8).requires_grad_()
    z_t, queue = unit(4, 8), unit(6, 8)
    SEEDHead().loss(z_s, z_t, queue)['loss_seed'].backward()
    assert z_s.grad is not None and z_s.grad.abs().sum() > 0


def test_queue_fifo_not_full_then_wraps():
    torch.manual_seed(0)
    K, D, n = 12, 5, 4
    queue = EmbeddingQueue(size=K, dim=D)
    initial = queue.embeddings.clone()
    torch.testing.assert_close(initial.norm(dim=1), torch.ones(K))
    g = torch.Generator().manual_seed(1)
    enqueued = []
    for step in range(1, 8):  # full after 3 steps, wraps at 4 and 7
        keys = unit(n, D, generator=g)
        enqueued.append(keys)
        assert torch.equal(queue.enqueue(keys), keys)
        ref, ptr = reference_queue(initial, enqueued)
        assert torch.equal(queue.embeddings, ref), step
        assert int(queue.ptr) == ptr
        if step * n < K:  # not yet full: unwritten rows still random
            assert torch.equal(queue.embeddings[step * n:],
                               initial[step * n:])
    # after wrapping, the queue holds exactly the last K embeddings
    last = torch.cat(enqueued)[-K:]
    order = torch.arange(len(torch.cat(enqueued)) - K,
                         len(torch.cat(enqueued))) % K
    assert torch.equal(queue.embeddings[order], last)


def test_queue_rejects_bad_batches_and_shapes():
    queue = EmbeddingQueue(size=12, dim=5)
    with pytest.raises(ValueError, match=r'not a multiple of the global '
                       r'batch 5.*multiple of 5 \(e\.g\. 10\)'):
        queue.enqueue(unit(5, 5))
    with pytest.raises(ValueError, match=r'expected \(B, 5\)'):
        queue.enqueue(unit(4, 6))
    assert int(queue.ptr) == 0  # nothing was written
    queue.check_batch(6)
    with pytest.raises(ValueError, match='multiple of 24'):
        queue.check_batch(24)
    with pytest.raises(ValueError, match='must be positive'):
        EmbeddingQueue(size=0, dim=5)


@pytest.mark.parametrize('temps', [dict(student_temp=0.0),
                                   dict(teacher_temp=-1e-4)])
def test_head_rejects_non_positive_temperature(temps):
    with pytest.raises(ValueError, match='SEEDHead temperatures must be > 0'):
        SEEDHead(**temps)


def seed_cfg(tiny_clip, size=8, **kw):
    cfg = dict(type='SEED', backbone=dict(type='ResNet', depth=18),
               neck=dict(type='StudentProjector', in_channels=512),
               head=dict(type='SEEDHead'),
               target_generator=tiny_teacher(tiny_clip),
               queue=dict(type='EmbeddingQueue', size=size))
    cfg.update(kw)
    return cfg


@pytest.fixture
def model(tiny_clip):
    torch.manual_seed(0)
    return MODELS.build(seed_cfg(tiny_clip))


def batch(n=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return dict(inputs=[torch.randint(0, 256, (n, 3, 32, 32),
                                      generator=g).float()],
                data_samples=None)


def test_dimensions_default_to_teacher(model):
    assert model.target_generator.embed_dim == 32
    assert model.neck.out_channels == 32
    assert tuple(model.queue.embeddings.shape) == (8, 32)


def test_dimension_mismatch_is_a_build_error(tiny_clip):
    with pytest.raises(ValueError, match=r'queue dimension 16 != teacher '
                       r'embedding dimension 32.*queue.dim=32'):
        MODELS.build(seed_cfg(tiny_clip, queue=dict(
            type='EmbeddingQueue', size=8, dim=16)))
    with pytest.raises(ValueError, match='neck.out_channels=32'):
        MODELS.build(seed_cfg(tiny_clip, neck=dict(
            type='StudentProjector', in_channels=512, out_channels=64)))
    with pytest.raises(ValueError, match='temperatures must be > 0'):
        MODELS.build(seed_cfg(tiny_clip, head=dict(type='SEEDHead',
                                                   teacher_temp=0)))


def test_steps_match_equations_and_fifo(model, monkeypatch):
    """Four steps of 4 on a queue of 8: not full, full, then wrapping. Each
    loss equals the reference on the pre-enqueue queue, the teacher sees the
    student's view, and the queue follows the FIFO reference."""
    seen = []
    real = model.head.loss

    def spy(z_s, z_t, queue):
        seen.append((z_s.detach().clone(), z_t.clone(), queue.clone()))
        return real(z_s, z_t, queue)

    monkeypatch.setattr(model.head, 'loss', spy)
    optim = OptimWrapper(torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.1))
    initial = model.queue.embeddings.clone()
    teacher = {k: v.clone() for k, v in
               model.target_generator.state_dict().items()}
    model.train()
    enqueued = []
    for step in range(4):
        data = batch(seed=step)
        x = model.data_preprocessor(data, True)['inputs'][0]
        log = model.train_step(data, optim)
        z_s, z_t, queue_before = seen[-1]
        torch.testing.assert_close(z_t, model.target_generator(x), rtol=0,
                                   atol=1e-6)
        ref_before, _ = reference_queue(initial, enqueued)
        assert torch.equal(queue_before, ref_before)
        ref = reference_loss(z_s, z_t, queue_before, 0.2, 1e-4)
        loss = float(log['loss_seed'].detach())
        assert abs(loss - ref) <= 1e-6 * max(1, ref)
        assert float(log['loss'].detach()) == loss
        enqueued.append(z_t)
        ref_after, ptr = reference_queue(initial, enqueued)
        assert torch.equal(model.queue.embeddings, ref_after)
        assert int(model.queue.ptr) == ptr
    assert int(model.queue.ptr) == 0 and len(enqueued) * 4 > 8
    for k, v in model.target_generator.state_dict().items():
        assert torch.equal(v, teacher[k]), k
    assert not model.target_generator.training


def test_checkpoint_holds_queue_not_teacher(model, tiny_clip):
    model.train()
    optim = OptimWrapper(torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.1))
    model.train_step(batch(), optim)
    state = model.state_dict()
    assert {'queue.embeddings', 'queue.ptr', 'neck.projector.0.weight',
            'neck.projector.2.weight'} <= set(state)
    assert not any(k.startswith('target_generator.') for k in state)
    assert int(state['queue.ptr']) == 4
    torch.manual_seed(1)
    other = MODELS.build(seed_cfg(tiny_clip))
    assert not torch.equal(other.queue.embeddings, model.queue.embeddings)
    other.load_state_dict(state, strict=True)
    assert torch.equal(other.queue.embeddings, model.queue.embeddings)
    assert int(other.queue.ptr) == 4


def test_check_hook_refuses_queue_not_multiple_of_global_batch(model):
    def runner(per_rank, world, drop_last=True, samples=100):
        loader = types.SimpleNamespace(batch_size=per_rank,
                                       drop_last=drop_last,
                                       sampler=list(range(samples)))
        return types.SimpleNamespace(train_dataloader=loader,
                                     world_size=world, model=model)

    hook = EmbeddingQueueCheckHook()
    hook.before_train(runner(4, 2))  # 8 divides 8
    with pytest.raises(ValueError, match=r'size 8 is not a multiple of the '
                       r'global batch 6 \(processes x batch per process\)'):
        hook.before_train(runner(3, 2))
    wrapped = types.SimpleNamespace(module=model)
    bad = runner(16, 1)
    bad.model = wrapped  # DDP-style wrapper
    with pytest.raises(ValueError, match='global batch 16'):
        hook.before_train(bad)


def test_check_hook_refuses_short_last_batch(model):
    def runner(samples, drop_last):
        loader = types.SimpleNamespace(batch_size=4, drop_last=drop_last,
                                       sampler=list(range(samples)))
        return types.SimpleNamespace(train_dataloader=loader, world_size=2,
                                     model=model)

    hook = EmbeddingQueueCheckHook()
    hook.before_train(runner(10, drop_last=True))
    hook.before_train(runner(12, drop_last=False))  # 3 full batches
    with pytest.raises(ValueError, match=r'hold 2 instead of 4 samples per '
                       r'process.*drop_last=True'):
        hook.before_train(runner(10, drop_last=False))


def test_check_hook_ignores_models_without_queue():
    loader = types.SimpleNamespace(batch_size=3, drop_last=False,
                                   sampler=list(range(10)))
    runner = types.SimpleNamespace(train_dataloader=loader, world_size=1,
                                   model=torch.nn.Linear(2, 2))
    EmbeddingQueueCheckHook().before_train(runner)
