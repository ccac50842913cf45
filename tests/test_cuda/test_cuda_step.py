"""LGD and SEED on CUDA (``pytest -m cuda``; every CUDA case skips with a
reason when ``torch.cuda.is_available()`` is False). The 'cpu' cases of the
device-parametrised tests run everywhere, so the checks themselves are
exercised on machines without a GPU too.

Tolerances of the mixed-precision step (one step from the same weights
and inputs; loss = the sum of LGD's weighted textual and visual terms):
|loss_amp - loss_fp32| <= TOL * max(|loss_fp32|, 1), TOL = 0.02 for fp16
and 0.05 for bf16 (8 mantissa bits). With CPU autocast the differences
measured 0.04% (fp16) and 0.15% (bf16) of the loss; the margins cover the
GPU kernels' different rounding (the teacher temperature 0.01 multiplies
embedding rounding by 100 inside the target softmax).
"""
import copy

import pytest
import torch
from _cuda import (
    CUDA,
    DEVICES,
    cuda_test,
    images,
    lgd_cfg,
    loss_sum,
    seed_cfg,
)
from mmpretrain.registry import MODELS

TOL = {torch.float16: 0.02, torch.bfloat16: 0.05}


def _build(cfg, device):
    torch.manual_seed(0)
    return MODELS.build(cfg).to(device).train()


def _step(model, x, dtype=None):
    """One optimiser step (SGD; GradScaler under fp16); returns the loss
    and the losses dict."""
    device = x.device.type
    opt = torch.optim.SGD([p for p in model.parameters()
                           if p.requires_grad], lr=0.01, momentum=0.9)
    scaler = torch.amp.GradScaler(device, init_scale=2.0**10,
                                  enabled=dtype is torch.float16)
    with torch.autocast(device, dtype=dtype or torch.float32,
                        enabled=dtype is not None):
        losses = model.loss([x], None)
        loss = loss_sum(losses)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    opt.zero_grad(set_to_none=True)
    # no overflow at this scale: the step was applied, not skipped
    assert scaler.get_scale() == (2.0**10 if scaler.is_enabled() else 1.0)
    return loss.detach().float(), losses


@pytest.mark.parametrize('dtype', [
    pytest.param(torch.float16, id='fp16', marks=CUDA),
    pytest.param(torch.bfloat16, id='bf16-cuda', marks=CUDA),
])
def test_amp_step_on_cuda_matches_fp32(dtype, tiny_clip, tsb_cache):
    """fp16 autocast + GradScaler and bf16 autocast: the step's loss is
    finite and within TOL of the fp32 step; the student moved."""
    _amp_step_matches_fp32('cuda', dtype, tiny_clip, tsb_cache)


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16],
                         ids=['fp16', 'bf16'])
def test_amp_step_on_cpu_matches_fp32(dtype, tiny_clip, tsb_cache):
    """The same check with CPU autocast (runs without a GPU)."""
    _amp_step_matches_fp32('cpu', dtype, tiny_clip, tsb_cache)


def _amp_step_matches_fp32(device, dtype, tiny_clip, tsb_cache):
    cfg = lgd_cfg(tiny_clip, tsb_cache)
    x = images(8, device)
    ref_model = _build(cfg, device)
    model = copy.deepcopy(ref_model)  # a second build may differ: building
    ref, _ = _step(ref_model, x)  # the TSB the first time draws from the RNG
    before = model.backbone.conv1.weight.detach().clone()
    got, losses = _step(model, x, dtype)
    assert torch.isfinite(got), losses
    tol = TOL[dtype]
    assert abs(float(got) - float(ref)) <= tol * max(abs(float(ref)), 1.0), \
        (float(got), float(ref))
    assert not torch.equal(model.backbone.conv1.weight, before)
    assert model.neck.vsb.dtype == torch.float32  # the bank stays fp32


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('algo', ['lgd', 'seed'])
def test_every_buffer_and_bank_on_the_model_device(device, algo, tiny_clip,
                                                   tsb_cache):
    """After ``.to(device)`` and a step: every parameter and buffer (TSB,
    VSB, its init mask, the SEED queue and pointer, BN statistics) and
    every loss output lives on the model's device."""
    cfg = (lgd_cfg(tiny_clip, tsb_cache) if algo == 'lgd' else
           seed_cfg(tiny_clip))
    model = _build(cfg, device)
    _, losses = _step(model, images(8, device))
    want = torch.device(device).type
    named = dict(model.named_parameters(), **dict(model.named_buffers()))
    banks = (['tsb.weight', 'neck.vsb', 'neck.vsb_initialized'] if algo ==
             'lgd' else ['queue.embeddings', 'queue.ptr'])
    assert set(banks) <= set(named)
    wrong = {k: v.device for k, v in named.items() if v.device.type != want}
    assert not wrong, wrong
    assert all(v.device.type == want for v in losses.values())


@pytest.mark.parametrize('dtype', [None, torch.float16], ids=['fp32',
                                                              'fp16'])
@cuda_test
def test_lgd_loss_and_lgka_update_do_not_sync(dtype, tiny_clip, tsb_cache):
    """The head's loss and the LGKA update run with
    ``torch.cuda.set_sync_debug_mode('error')``: any host-device sync
    (``.item()``, ``nonzero``, boolean masks, host copies) raises."""
    model = _build(lgd_cfg(tiny_clip, tsb_cache), 'cuda')
    x = images(8, 'cuda')
    with torch.no_grad():
        z_t = model.target_generator(x)
    tsb = model.tsb.weight
    vsb_before = model.neck.vsb.clone()
    with torch.autocast('cuda', dtype=dtype or torch.float32,
                        enabled=dtype is not None):
        z_s = model.embed(x)
        torch.cuda.synchronize()
        with _no_sync():
            losses = model.head.loss(z_s, z_t, tsb, model.neck.vsb)
            labels = model.neck.update_vsb(z_t, tsb)
    loss_sum(losses).backward()
    assert torch.isfinite(loss_sum(losses).detach())
    seen = torch.zeros_like(model.neck.vsb_initialized)
    seen[labels] = True
    assert torch.equal(model.neck.vsb_initialized, seen)
    changed = (model.neck.vsb != vsb_before).any(dim=1)
    assert torch.equal(changed, seen)


@cuda_test
def test_seed_loss_and_queue_update_do_not_sync(tiny_clip):
    """SEED's loss and the queue's enqueue without host-device sync; the
    rows written are the batch, the pointer advanced."""
    model = _build(seed_cfg(tiny_clip, size=16), 'cuda')
    x = images(8, 'cuda')
    with torch.no_grad():
        z_t = model.target_generator(x)
    z_s = model.embed(x)
    queue = model.queue.embeddings.clone()
    torch.cuda.synchronize()
    with _no_sync():
        losses = model.head.loss(z_s, z_t, queue)
        model.queue.enqueue(z_t)
    loss_sum(losses).backward()
    torch.testing.assert_close(model.queue.embeddings[:8], z_t.float())
    assert torch.equal(model.queue.embeddings[8:], queue[8:])
    assert int(model.queue.ptr) == 8


class _no_sync:
    """``torch.cuda.set_sync_debug_mode('error')`` inside the block only."""

    def __enter__(self):
        self.before = torch.cuda.get_sync_debug_mode()
        torch.cuda.set_sync_debug_mode('error')

    def __exit__(self, *exc):
        torch.cuda.set_sync_debug_mode(self.before)


def test_loss_and_bank_updates_read_no_tensor_values_on_the_host():
    """CPU stand-in for the two no-sync tests above: on ``meta`` tensors
    (shapes, no data) any host read of a value (``.item()``, ``bool()``,
    ``nonzero``, boolean masks, copies to CPU) raises, so LGD's and SEED's
    losses, the LGKA update and the enqueue running here means they make
    none of the reads that would sync a GPU."""
    from mmlgd.models import EmbeddingQueue, LGDHead, LGKANeck, SEEDHead
    meta = dict(device='meta')
    with pytest.raises((RuntimeError, NotImplementedError)):
        torch.empty((), **meta).item()  # the premise
    neck = LGKANeck(8, 4, 5).to('meta')
    queue = EmbeddingQueue(12, 4).to('meta')
    z_t, tsb = torch.empty(6, 4, **meta), torch.empty(5, 4, **meta)
    z_s = torch.empty(6, 4, requires_grad=True, **meta)
    losses = dict(LGDHead().loss(z_s, z_t, tsb, neck.vsb),
                  **SEEDHead().loss(z_s, z_t, queue.embeddings.clone()))
    labels = neck.update_vsb(z_t, tsb)
    queue.enqueue(z_t)
    assert labels.shape == (6, ) and queue.ptr.is_meta
    assert neck.vsb.is_meta and neck.vsb_initialized.is_meta
    assert all(v.is_meta and v.shape == () for v in losses.values())
