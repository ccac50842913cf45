"""The LGD training step on a GPU, for ``tools/analysis_tools/gpu_check.sh``.

R18 <- CLIP RN50 with random weights (:func:`.models.build_r18_rn50`), the
paper's per-GPU batch of 256 at 224 px under AMP (fp16 autocast +
``GradScaler``), on synthetic inputs already on the GPU (so the data
pipeline is not part of it). Reported:

* images/s of the whole step and its peak memory
  (``torch.cuda.max_memory_allocated``);
* the step stage by stage, timed with CUDA events: teacher forward, student
  forward + backward, LGD (projector, TSB/VSB losses, LGKA update and
  their backward), optimizer;
* the FLOP floor: the step's FLOPs (``torch.utils.flop_counter``: forward
  and backward of teacher, student and LGD) divided by the FLOP/s of a large
  fp16 matmul timed in the same run (``torch.utils.benchmark``); the step
  time as a multiple of it;
* online vs cached vs student-only steps, timed interleaved: *online* runs
  the teacher; *cached* reads ``z_T`` as :class:`CachedTeacher` does after
  its lookup (fp16 rows from host memory, i.e. the memory-mapped cache in
  the page cache, copied to the GPU and renormalised; disk reads are not
  included); *student-only* gets ``z_T`` already on the GPU.

:data:`SMOKE` runs the same code on CPU at batch 2 in fp32 (the CPU figures
mean nothing; the run checks the code).
"""
import time
from typing import Callable, Dict, Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .cache import GivenEmbeddings
from .common import PeakMemory, sync, time_interleaved
from .models import amp_context, build, optimizer_for

GPU = dict(batch=256, image=224, amp='fp16', repeats=10, warmup=3,
           matmul=8192, matmul_dtype='fp16')
SMOKE = dict(batch=2, image=224, amp=None, repeats=1, warmup=0,
             matmul=256, matmul_dtype='fp32')
DTYPES = {None: None, 'fp16': torch.float16, 'bf16': torch.bfloat16,
          'fp32': torch.float32}
STAGES = ['teacher forward', 'student forward+backward', 'LGD', 'optimizer']


class Stopwatch:
    """Marks between stages: CUDA events on GPU (read after one sync at
    the end), ``perf_counter`` after a sync on CPU. ``seconds()`` sums the
    time between consecutive marks per name."""

    def __init__(self, device: str):
        self.cuda = str(device).startswith('cuda')
        self.marks = []
        self.mark(None)

    def mark(self, name: Optional[str]) -> None:
        if self.cuda:
            event = torch.cuda.Event(enable_timing=True)
            event.record()
        else:
            event = time.perf_counter()
        self.marks.append((name, event))

    def seconds(self) -> Dict[str, float]:
        if self.cuda:
            torch.cuda.synchronize()
        out: Dict[str, float] = {}
        for (_, a), (name, b) in zip(self.marks, self.marks[1:]):
            dt = a.elapsed_time(b) / 1e3 if self.cuda else b - a
            out[name] = out.get(name, 0.0) + dt
        return out


class HostCachedEmbeddings(nn.Module):
    """``z_T`` as :class:`CachedTeacher` returns it after the lookup: fp16
    rows of a host array, copied to the input's device as float32 and
    renormalised.

    Args:
        table (np.ndarray): (N, D) float16 stored embeddings.
        index (np.ndarray): (B,) rows of this batch.
    """

    def __init__(self, table: np.ndarray, index: np.ndarray):
        super().__init__()
        self.table, self.index = table, index
        self.embed_dim = table.shape[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = torch.from_numpy(self.table[self.index])
        return F.normalize(z.to(x.device, torch.float32), dim=1)


class GPUStep:
    """Steps of one LGD model on one resident batch ``x``.

    Args:
        model (nn.Module): LGD on ``x``'s device, train mode.
        x (Tensor): (B, 3, H, W) preprocessed images on the device.
        amp (torch.dtype, optional): autocast dtype; fp16 adds a
            ``GradScaler``.
    """

    def __init__(self, model: nn.Module, x: torch.Tensor,
                 amp: Optional[torch.dtype]):
        self.model, self.x, self.amp = model, x, amp
        self.device = x.device.type
        self.opt = optimizer_for(model, x.shape[0])
        self.scaler = torch.amp.GradScaler(
            self.device, enabled=amp is torch.float16)

    def _finish(self) -> None:
        self.scaler.step(self.opt)
        self.scaler.update()
        self.opt.zero_grad(set_to_none=True)

    def full(self) -> None:
        """One step as :meth:`LGD.loss` + backward + SGD."""
        with amp_context(self.device, self.amp):
            losses = self.model.loss([self.x], None)
            loss = sum(v for k, v in losses.items() if k.startswith('loss'))
        self.scaler.scale(loss).backward()
        self._finish()

    def decomposed(self) -> Dict[str, float]:
        """The same step stage by stage (:data:`STAGES`), seconds."""
        m, watch = self.model, Stopwatch(self.device)
        with amp_context(self.device, self.amp), torch.no_grad():
            z_t = m.target_generator(self.x)
        watch.mark('teacher forward')
        with amp_context(self.device, self.amp):
            feats = m.backbone(self.x)
        watch.mark('student forward+backward')
        leaves = tuple(f.detach().requires_grad_() for f in feats)
        with amp_context(self.device, self.amp):
            z_s = m.neck(leaves)
            losses = m.head.loss(z_s, z_t, m.tsb.weight, m.neck.vsb)
            m.neck.update_vsb(z_t, m.tsb.weight)
            loss = sum(v for k, v in losses.items() if k.startswith('loss'))
        self.scaler.scale(loss).backward()
        watch.mark('LGD')
        torch.autograd.backward(feats, [leaf.grad for leaf in leaves])
        watch.mark('student forward+backward')
        self._finish()
        watch.mark('optimizer')
        return watch.seconds()


def matmul_flops(device: str, n: int, dtype: torch.dtype) -> float:
    """FLOP/s of an (n, n) @ (n, n) matmul in ``dtype`` on ``device``
    (``torch.utils.benchmark``, median of ``blocked_autorange``)."""
    from torch.utils.benchmark import Timer
    g = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(n, n, device=device, dtype=dtype, generator=g)
    b = torch.randn(n, n, device=device, dtype=dtype, generator=g)
    t = Timer('a @ b', globals=dict(a=a, b=b)).blocked_autorange(
        min_run_time=1.0)
    return 2 * n ** 3 / t.median


def step_flops(step: GPUStep) -> int:
    """FLOPs of one full step (forward and backward of everything)."""
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        step.full()
    return counter.get_total_flops()


def run(device: str, tmpdir: str, batch: int, image: int,
        amp: Optional[str], repeats: int, warmup: int, matmul: int,
        matmul_dtype: str, log: Callable[[str], None] = print) -> dict:
    """Everything listed in the module docstring, as one dict (seconds,
    bytes, FLOPs)."""
    dtype = DTYPES[amp]
    t0 = time.perf_counter()
    model, meta = build('r18_rn50', tmpdir, device)
    if image != meta['image']:
        raise ValueError(f'CLIP RN50 takes {meta["image"]} px, not {image}.')
    log(f'built {meta["name"]} in {time.perf_counter() - t0:.1f} s')
    g = torch.Generator().manual_seed(0)
    x = torch.randn(batch, 3, image, image, generator=g).to(device)
    step = GPUStep(model, x, dtype)
    online = model.target_generator
    with torch.no_grad(), amp_context(device, dtype):
        z = online(x).float()
    table = np.concatenate([z.cpu().numpy(), z.flip(0).cpu().numpy()]
                           ).astype(np.float16)  # two views' worth of rows
    teachers = {'online': online,
                'cached': HostCachedEmbeddings(table, np.arange(batch)),
                'student-only': GivenEmbeddings(F.normalize(z, dim=1))}

    def with_teacher(name):
        def fn():
            model.target_generator = teachers[name]
            step.full()
        return fn

    for _ in range(warmup):
        step.full()
    with PeakMemory(device) as mem:
        step.full()
    log(f'warm-up done; peak memory {mem.bytes / 2**20:.0f} MiB')
    flops = step_flops(step)
    stages = [step.decomposed() for _ in range(max(1, repeats))]
    log(f'{flops / 1e12:.3f} TFLOP per step; stages timed')
    stage_med = {s: float(np.median([d.get(s, 0.0) for d in stages]))
                 for s in STAGES}
    variants = time_interleaved({k: with_teacher(k) for k in teachers},
                                device, repeats, warmup=min(1, warmup))
    model.target_generator = online
    log('online / cached / student-only timed')
    peak = matmul_flops(device, matmul, DTYPES[matmul_dtype])
    sync(device)
    step_s = variants['online']['median']
    floor = flops / peak
    res = dict(
        setting=meta['name'], device=device, batch=batch, image=image,
        amp=amp or 'fp32', repeats=repeats, warmup=warmup,
        cudnn_benchmark=torch.backends.cudnn.benchmark,  # configs: off
        images_per_s=batch / step_s, step_s=step_s, peak_memory=mem.bytes,
        peak_memory_kind=mem.kind, stages=stage_med,
        variants={k: v['median'] for k, v in variants.items()},
        variant_samples={k: v['samples'] for k, v in variants.items()},
        step_flops=flops, matmul=dict(n=matmul, dtype=matmul_dtype,
                                      flops_per_s=peak),
        floor_s=floor, floor_multiple=step_s / floor)
    log(f'{meta["name"]} b{batch} {res["amp"]}: {res["images_per_s"]:.1f} '
        f'img/s, step {step_s * 1e3:.1f} ms = {res["floor_multiple"]:.1f}x '
        f'the FLOP floor ({flops / 1e12:.2f} TFLOP at {peak / 1e12:.1f} '
        'TFLOP/s)')
    return res
