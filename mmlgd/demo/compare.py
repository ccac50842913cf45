"""Seed statistics of the demo report: mean ± std over seeds, and paired
differences between two methods trained with the same seeds."""
import math
import statistics
from typing import Optional, Sequence


def fmt(values: Sequence[Optional[float]], scale: float = 1.0) -> str:
    """``'80.1 ± 0.3 (n=3)'`` (sample std), ``'80.1'`` for one value,
    ``'n/a'`` for none; missing values (None) are left out.

    Args:
        values (Sequence[float | None]): one metric per seed.
        scale (float): multiplies each value (e.g. 100 for a fraction).
    """
    values = [v * scale for v in values if v is not None]
    if not values:
        return 'n/a'
    if len(values) == 1:
        return f'{values[0]:.1f}'
    return (f'{statistics.mean(values):.1f} ± '
            f'{statistics.stdev(values):.1f} (n={len(values)})')


def paired(a: Sequence[Optional[float]], b: Sequence[Optional[float]],
           scale: float = 1.0) -> dict:
    """The paired comparison of methods A and B over the seeds both have.

    The differences ``d_i = a_i - b_i`` pair runs of the same seed (same
    data order and transfer seed). A two-sided paired t-test
    (``scipy.stats.ttest_rel``) gives ``p``; ``separated`` is ``p < 0.05``.
    With n = 3 seeds only large, consistent differences pass it.

    Args:
        a, b (Sequence[float | None]): one metric per seed, same seed order;
            a pair with a missing value is left out.
        scale (float): multiplies each difference.

    Returns:
        dict: ``n``, ``mean`` and ``std`` of the differences (None when
        n < 1 / n < 2), ``p`` (None when n < 2 or all differences are
        equal), ``separated`` (bool).
    """
    pairs = [(x * scale, y * scale) for x, y in zip(a, b)
             if x is not None and y is not None]
    d = [x - y for x, y in pairs]
    out = dict(n=len(d), mean=statistics.mean(d) if d else None,
               std=statistics.stdev(d) if len(d) > 1 else None, p=None,
               separated=False)
    if len(d) > 1 and out['std'] > 0:
        from scipy.stats import ttest_rel
        p = float(ttest_rel(*zip(*pairs)).pvalue)
        out['p'] = None if math.isnan(p) else p
        out['separated'] = out['p'] is not None and out['p'] < 0.05
    return out


def paired_cell(cmp: dict) -> str:
    """A table cell for :func:`paired`:
    ``'+2.1 ± 0.4, p=0.013 (separated)'``."""
    if not cmp['n']:
        return 'n/a'
    if cmp['n'] == 1:
        return f'{cmp["mean"]:+.1f} (n=1, no spread)'
    p = cmp['p']
    # two significant digits, so 0.047 is not shown as a borderline 0.05
    p = ('p n/a' if p is None else 'p<0.001' if p < 0.001
         else f'p={p:.2g}')
    return (f'{cmp["mean"]:+.1f} ± {cmp["std"]:.1f}, {p} '
            f'({"separated" if cmp["separated"] else "not separated"})')
