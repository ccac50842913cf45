"""LGD training-step breakdown.

One step is split into stages that together compute exactly what
``model.train_step`` computes (checked against it, timed in the same run):

1. data: ``default_collate`` + the data preprocessor on an already decoded
   batch (decoding and augmentation run in dataloader workers, not here);
2. teacher forward (``torch.no_grad``, as :meth:`LGD.loss` does);
3. student forward (backbone);
4. LGD neck + head: projector forward, TSB/VSB logits and losses, the VSB
   update, and their backward down to the backbone features (the features
   are a detached leaf here, so this part's backward is timed alone);
5. student backward: the backbone's backward from those feature gradients;
6. optimizer: SGD step + ``zero_grad``.
"""
from typing import Dict, Optional

import torch

from mmlgd.utils.markdown import md_table

from .common import PeakMemory, mib, ms, sync, time_interleaved
from .models import (
    amp_context,
    collate_preprocess,
    make_samples,
    optimizer_for,
)

STAGES = ['data', 'teacher forward', 'student forward', 'LGD neck+head',
          'student backward', 'optimizer']


class StepRunner:
    """Runs decomposed and end-to-end steps of one LGD model.

    Args:
        model: an LGD model on ``device`` in train mode.
        samples: the per-sample list :func:`make_samples` returns.
        device: ``'cpu'`` or ``'cuda'``.
        amp: autocast dtype (``torch.float16`` / ``torch.bfloat16``) or None.
    """

    def __init__(self, model, samples, device: str,
                 amp: Optional[torch.dtype] = None):
        self.model, self.samples, self.device, self.amp = (model, samples,
                                                           device, amp)
        self.batch = len(samples)
        self.optimizer = optimizer_for(model, self.batch)
        scaler_on = amp is torch.float16
        self.scaler = torch.amp.GradScaler(
            str(device).split(':')[0], enabled=scaler_on)
        self.times: Dict[str, float] = {}

    def _mark(self, name: str, t0: float) -> float:
        import time
        sync(self.device)
        now = time.perf_counter()
        self.times[name] = now - t0
        return now

    def decomposed(self) -> Dict[str, float]:
        """One step, stage by stage; returns seconds per stage."""
        import time
        m, amp = self.model, self.amp
        sync(self.device)
        t = time.perf_counter()
        x = collate_preprocess(m, self.samples)['inputs'][0]
        t = self._mark('data', t)
        with amp_context(self.device, amp), torch.no_grad():
            z_t = m.target_generator(x)
        t = self._mark('teacher forward', t)
        with amp_context(self.device, amp):
            feats = m.backbone(x)
        t = self._mark('student forward', t)
        leaves = tuple(f.detach().requires_grad_() for f in feats)
        tsb = m.tsb.weight
        with amp_context(self.device, amp):
            z_s = m.neck(leaves)
            losses = m.head.loss(z_s, z_t, tsb, m.neck.vsb)
            m.neck.update_vsb(z_t, tsb)
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        self.scaler.scale(loss).backward()
        t = self._mark('LGD neck+head', t)
        torch.autograd.backward(feats, [leaf.grad for leaf in leaves])
        t = self._mark('student backward', t)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        self._mark('optimizer', t)
        return dict(self.times)

    def optim_wrapper(self):
        """mmengine's wrapper over the same SGD (AMP wrapper under AMP)."""
        from mmengine.optim import AmpOptimWrapper, OptimWrapper
        if self.amp is None:
            return OptimWrapper(self.optimizer)
        return AmpOptimWrapper(optimizer=self.optimizer, dtype=self.amp)

    def end_to_end(self, wrapper) -> None:
        """One ``default_collate`` + ``model.train_step`` (what the runner
        does per iteration)."""
        from mmengine.dataset import default_collate
        self.model.train_step(default_collate(self.samples), wrapper)


def run_setting(model, meta: dict, device: str, batch: int, repeats: int,
                warmup: int, amp: Optional[torch.dtype] = None,
                log=print) -> dict:
    """Stage medians and minima, the end-to-end median and peak memory of
    one setting. Decomposed and end-to-end steps alternate, so both see the
    same load."""
    import statistics
    samples = make_samples(batch, meta['channels'], meta['image'])
    runner = StepRunner(model, samples, device, amp)
    wrapper = runner.optim_wrapper()
    with PeakMemory(device) as mem:  # first step: fresh allocations
        runner.end_to_end(wrapper)
    for _ in range(warmup):
        runner.decomposed()
    per_stage = {s: [] for s in STAGES}
    e2e = []
    for _ in range(max(1, repeats)):
        for s, v in runner.decomposed().items():
            per_stage[s].append(v)
        e2e.append(time_interleaved(
            {'e2e': lambda: runner.end_to_end(wrapper)}, device, 1,
            warmup=0)['e2e']['median'])
    stages = {s: statistics.median(v) for s, v in per_stage.items()}
    best = {s: min(v) for s, v in per_stage.items()}
    total = sum(stages.values())
    alone = None
    if not str(device).startswith('cuda') and amp is None:
        alone = neck_head_alone(model, batch, meta['image'],
                                max(5, repeats))
    nh = 'LGD neck+head'
    res = dict(alone=alone, meta=meta, batch=batch, amp=_amp_name(amp),
               stages=stages, best=best, total=total,
               e2e=statistics.median(e2e), mem=mem.bytes, mem_kind=mem.kind,
               share=stages[nh] / total,
               share_best=best[nh] / sum(best.values()),
               repeats=max(1, repeats))
    log(f'  step {meta["name"]} b{batch} {res["amp"]}: sum {ms(total)} ms, '
        f'train_step {ms(res["e2e"])} ms, neck+head '
        f'{100 * res["share"]:.2f}% (best-of-{res["repeats"]}: '
        f'{100 * res["share_best"]:.2f}%), {batch / total:.1f} img/s')
    return res


def neck_head_alone(model, batch: int, image: int,
                    repeats: int) -> Dict[int, float]:
    """The 'LGD neck+head' stage alone on random inputs of the step's
    shapes, at 1 thread and at torch's current thread count (CPU), median
    seconds per thread count. Shows how much of the in-step figure is
    work and how much is thread synchronisation under load."""
    import statistics
    import time
    m = model
    x = torch.zeros(2, 3, image, image)  # the preprocessor outputs 3 ch
    with torch.no_grad():
        shapes = [f.shape[1:] for f in m.backbone(x)]
    feats = [torch.randn(batch, *sh) for sh in shapes]
    z_t = torch.nn.functional.normalize(torch.randn(batch, m.tsb.dim), dim=1)
    tsb = m.tsb.weight

    def stage():
        leaves = tuple(f.clone().requires_grad_() for f in feats)
        z_s = m.neck(leaves)
        losses = m.head.loss(z_s, z_t, tsb, m.neck.vsb)
        m.neck.update_vsb(z_t, tsb)
        sum(v for k, v in losses.items() if 'loss' in k).backward()

    default = torch.get_num_threads()
    samples = {n: [] for n in sorted({1, default})}
    try:
        for rnd in range(repeats + 2):
            for n in samples:
                torch.set_num_threads(n)
                t0 = time.perf_counter()
                stage()
                if rnd >= 2:  # two warm-up rounds
                    samples[n].append(time.perf_counter() - t0)
    finally:
        torch.set_num_threads(default)
        m.neck.zero_grad(set_to_none=True)
    return {n: statistics.median(v) for n, v in samples.items()}


def _amp_name(amp: Optional[torch.dtype]) -> str:
    return {None: 'fp32', torch.float16: 'AMP fp16',
            torch.bfloat16: 'AMP bf16'}[amp]


def breakdown_markdown(results) -> str:
    """Per-stage table (one column per setting) and a summary table."""
    header = ['stage'] + [f'{r["meta"]["name"]}, b{r["batch"]}, '
                          f'{r["meta"]["image"]} px, {r["amp"]}'
                          for r in results]
    rows = []
    for s in STAGES:
        rows.append([s] + [f'{ms(r["stages"][s])} ms '
                           f'({100 * r["stages"][s] / r["total"]:.1f}%)'
                           for r in results])
    rows.append(['**sum of stages**'] + [f'**{ms(r["total"])} ms**'
                                         for r in results])
    rows.append(['LGD neck+head share, best of each stage'] +
                [f'{100 * r["share_best"]:.2f}%' for r in results])
    rows.append(['`train_step` end to end (check)'] +
                [f'{ms(r["e2e"])} ms' for r in results])
    rows.append(['images/s (sum of stages)'] +
                [f'{r["batch"] / r["total"]:.1f}' for r in results])
    rows.append(['peak memory (MiB)'] + [mib(r['mem']) for r in results])
    return md_table(header, rows)
