"""LGKA (VSB update) benchmark: :meth:`LGKANeck.update_vsb` against a
straightforward per-category Python loop.

The loop is written here from the method description (LGD paper, Sec. 3.3:
pseudo-label by the TSB, then for every category that received samples,
set or momentum-update its prototype with the batch mean) and is kept only
as the benchmark's baseline and correctness reference.
"""
import itertools
import statistics
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F

from mmlgd.utils.markdown import md_table

from .common import ms, time_interleaved


@torch.no_grad()
def loop_update(vsb: torch.Tensor, initialized: torch.Tensor,
                z_t: torch.Tensor, tsb: torch.Tensor, momentum: float,
                labels: Optional[torch.Tensor] = None) -> torch.Tensor:
    """One VSB update, category by category, in place on ``vsb`` /
    ``initialized``. Returns the (B,) pseudo-labels.

    Args:
        vsb: (K, D) bank, updated in place.
        initialized: (K,) bool, updated in place.
        z_t: (B, D) unit teacher embeddings.
        tsb: (K, D) text bank.
        momentum: ``mu``.
        labels: precomputed pseudo-labels (skip the TSB product).
    """
    if labels is None:
        labels = (z_t @ tsb.T).argmax(dim=1)
    for k in range(vsb.shape[0]):
        mask = labels == k
        if not bool(mask.any()):
            continue
        mean = z_t[mask].mean(dim=0)
        if bool(initialized[k]):
            vsb[k] = momentum * vsb[k] + (1.0 - momentum) * mean
        else:
            vsb[k] = mean
            initialized[k] = True
    return labels


def _make_neck(k: int, d: int, momentum: float, device: str):
    from mmlgd.models.necks.lgka_neck import LGKANeck
    return LGKANeck(in_channels=8, out_channels=d, num_classes=k,
                    momentum=momentum).to(device)


def check_equal(k: int, b: int, d: int, device: str, momentum: float = 0.9,
                steps: int = 3, seed: int = 0) -> float:
    """Run ``steps`` updates with both implementations from the same state
    (fresh bank, then partly initialised rows) and assert equal banks.

    Returns:
        float: max absolute difference of the banks.

    Raises:
        AssertionError: banks, flags or labels differ.
    """
    g = torch.Generator().manual_seed(seed)
    neck = _make_neck(k, d, momentum, device)
    tsb = F.normalize(torch.randn(k, d, generator=g), dim=1).to(device)
    vsb = neck.vsb.clone()
    init = neck.vsb_initialized.clone()
    worst = 0.0
    for step in range(steps):
        z = F.normalize(torch.randn(b, d, generator=g), dim=1).to(device)
        ours = neck.update_vsb(z, tsb)
        ref = loop_update(vsb, init, z, tsb, momentum)
        diff = (neck.vsb - vsb).abs().max().item()
        worst = max(worst, diff)
        ok = (torch.equal(ours, ref)
              and torch.equal(neck.vsb_initialized, init)
              and torch.allclose(neck.vsb, vsb, rtol=1e-5, atol=1e-6))
        if not ok:
            raise AssertionError(
                f'LGKA mismatch at K={k} B={b} D={d} step {step}: '
                f'max |diff| {diff:.3g}, labels equal '
                f'{torch.equal(ours, ref)}, flags equal '
                f'{torch.equal(neck.vsb_initialized, init)}')
    return worst


def bench_cell(k: int, b: int, d: int, device: str, repeats: int,
               warmup: int, momentum: float = 0.99) -> dict:
    """Timings (s) of one (K, B, D) cell: both implementations, with and
    without the pseudo-labelling product, and that product alone."""
    g = torch.Generator().manual_seed(k * 7 + b * 3 + d)
    neck = _make_neck(k, d, momentum, device)
    tsb = F.normalize(torch.randn(k, d, generator=g), dim=1).to(device)
    z = F.normalize(torch.randn(b, d, generator=g), dim=1).to(device)
    vsb = neck.vsb.clone()
    init = neck.vsb_initialized.clone()
    labels = neck.pseudo_labels(z, tsb)

    # ``neck_given`` reuses the real ``update_vsb`` with its pseudo-labelling
    # replaced by the precomputed labels (the step shared by both methods).
    neck_given = _make_neck(k, d, momentum, device)
    neck_given.pseudo_labels = lambda z_t, bank: labels
    vsb2, init2 = vsb.clone(), init.clone()
    fns = {
        'loop': lambda: loop_update(vsb, init, z, tsb, momentum),
        'ours': lambda: neck.update_vsb(z, tsb),
        'loop_given': lambda: loop_update(vsb2, init2, z, tsb, momentum,
                                          labels=labels),
        'ours_given': lambda: neck_given.update_vsb(z, tsb),
        'labels': lambda: (z @ tsb.T).argmax(dim=1),
    }
    res = time_interleaved(fns, device, repeats, warmup, min_sample_s=5e-3)
    out = {name: r['median'] for name, r in res.items()}
    # Ratios are medians of per-round pairs (timed back to back), robust to
    # load that changes between rounds.
    out['ratio'] = _paired(res['loop'], res['ours'])
    out['ratio_given'] = _paired(res['loop_given'], res['ours_given'])
    return out


def _paired(a: dict, b: dict) -> float:
    return statistics.median(x / y for x, y in zip(a['samples'],
                                                    b['samples']))


def run(ks: Sequence[int], bs: Sequence[int], ds: Sequence[int], device: str,
        repeats: int, warmup: int, log=print) -> Dict[str, object]:
    """The whole table. Returns ``dict(rows=[...], markdown=str)``."""
    rows: List[dict] = []
    for d, b, k in itertools.product(ds, bs, ks):
        diff = check_equal(k, b, d, device)
        t = bench_cell(k, b, d, device, repeats, warmup)
        row = dict(K=k, B=b, D=d, max_diff=diff, **t)
        rows.append(row)
        log(f'  LGKA K={k:5d} B={b:4d} D={d:5d}: loop {ms(t["loop"])} ms, '
            f'ours {ms(t["ours"])} ms, x{row["ratio"]:.1f} '
            f'(labels given: x{row["ratio_given"]:.1f}); banks equal '
            f'(max |diff| {diff:.1e})')
    header = ['K', 'B', 'D', 'loop (ms)', 'ours (ms)', 'loop / ours',
              'loop, labels given (ms)', 'ours, labels given (ms)',
              'loop / ours, labels given', 'pseudo-label product (ms)',
              'banks equal (max abs diff)']
    table = md_table(header, [
        [r['K'], r['B'], r['D'], ms(r['loop']), ms(r['ours']),
         f'{r["ratio"]:.1f}x', ms(r['loop_given']), ms(r['ours_given']),
         f'{r["ratio_given"]:.1f}x', ms(r['labels']),
         f'yes ({r["max_diff"]:.1e})'] for r in rows])
    return dict(rows=rows, markdown=table)
