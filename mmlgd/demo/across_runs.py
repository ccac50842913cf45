"""Which of the demo report's paired verdicts hold across independent runs.

A verdict ("separated" with its sign, or "not separated") read off one
run with few seeds can flip in the next run (README, "Results of a default
run"). This module reads back the ``results.json`` of finished runs and
puts each paired comparison of the report side by side, one column per
run, with whether its verdict held in every run. The comparisons are the
report's own (:func:`.tables.classification_pairs`,
:func:`.tables.transfer_pairs`), recomputed from each run's per-seed
metrics; pairs are formed within a run (same seed), never across runs.
"""
from typing import Optional, Sequence

from mmlgd.utils.markdown import md_table

from .compare import paired, paired_cell
from .tables import CLS_METRICS, TRANSFER, classification_pairs, transfer_pairs


class SavedRun:
    """A finished demo run read back from its ``results.json``, with the
    interface the report's tables read (``settings``, ``result(stage)``).

    Args:
        summary (dict): the ``results.json`` a run wrote next to
            ``report.md`` (needs ``command`` and ``metrics``: stage name ->
            that stage's metrics).
        settings (dict): the run's settings (:func:`.plan.make_settings`;
            :func:`mmlgd.cli.run_demo.settings_of_command` gives them from
            ``summary['command']``).
        label (str): the run's column title.

    Raises:
        ValueError: ``summary`` has no ``metrics``.
    """

    def __init__(self, summary: dict, settings: dict, label: str):
        if 'metrics' not in summary:
            raise ValueError(
                f'{label}: no per-stage "metrics" in this results.json; pass '
                'the results.json that tools/run_demo.py writes next to '
                'report.md.')
        self.settings, self.label = settings, label
        self.command = summary.get('command', '(not recorded)')
        self._metrics = summary['metrics']

    def result(self, name: str) -> dict:
        """``{'metrics': ...}`` of stage ``name``.

        Raises:
            KeyError: the run has no such stage (the tables then show it
                as missing).
        """
        return {'metrics': self._metrics[name]}


def verdict(cmp: dict) -> Optional[str]:
    """``'separated (+)'`` / ``'separated (-)'`` (sign of the mean
    difference), ``'not separated'``, or None when the comparison has fewer
    than two seeds (no test).

    Args:
        cmp (dict): a :func:`.compare.paired` result.
    """
    if cmp['n'] < 2:
        return None
    if cmp['separated']:
        return f'separated ({"+" if cmp["mean"] > 0 else "-"})'
    return 'not separated'


def held(cmps: Sequence[dict]) -> str:
    """Whether one comparison's verdict is the same in every run:
    ``'yes: <verdict>'``, ``'no'``, or ``'n/a'`` when a run lacks it (or
    has under two seeds).

    Args:
        cmps (Sequence[dict]): the comparison's :func:`.compare.paired`
            result in each run.
    """
    found = [verdict(c) for c in cmps]
    if None in found:
        return 'n/a'
    return f'yes: {found[0]}' if len(set(found)) == 1 else 'no'


def _side_by_side(per_run: Sequence[list], metrics: Sequence[str]) -> list:
    """Rows (comparison, metric, one cell per run, held) for comparisons
    present in any run, in the first run's order."""
    labels = []
    for rows in per_run:
        labels += [label for label, _ in rows if label not in labels]
    missing = paired([], [])  # a comparison a run lacks: n = 0
    rows = []
    for label in labels:
        found = [dict(r).get(label, [missing] * len(metrics))
                 for r in per_run]
        for m, metric in enumerate(metrics):
            cmps = [f[m] for f in found]
            rows.append((label, metric, *map(paired_cell, cmps),
                         held(cmps)))
    return rows


def across_runs(runs: Sequence[SavedRun]) -> str:
    """The markdown tables: every paired comparison of the report, one
    column per run, and whether its verdict held in all of them.

    Classification (zero-shot, linear probe), then one table per transfer
    regime (fraction of the scenes) that every run has.

    Args:
        runs (Sequence[SavedRun]): two or more finished runs.

    Raises:
        ValueError: fewer than two runs, or two runs with the same label.
    """
    if len(runs) < 2:
        raise ValueError(f'Comparing verdicts across runs needs two or more '
                         f'runs, got {len(runs)}.')
    names = [r.label for r in runs]
    if len(set(names)) != len(names):
        raise ValueError(f'Run labels must differ, got {names}.')
    head = ['comparison (paired, within each run)', 'metric', *names,
            'verdict held in all']
    out = ["# The demo report's paired verdicts across independent runs", '',
           'Written by `python tools/analysis_tools/compare_demo_runs.py`; '
           'the runs and their commands are listed at the end.', '',
           '## Classification (Fashion-MNIST test set, top-1 %)', '',
           md_table(head, _side_by_side(
               [classification_pairs(r) for r in runs], CLS_METRICS)), '']
    fractions = [f for f in runs[0].settings['transfer_fractions']
                 if all(f in r.settings['transfer_fractions'] for r in runs)]
    for f in fractions:
        out += [f'## Transfer, {f:.0%} of the training scenes (points)', '',
                md_table(head, _side_by_side(
                    [transfer_pairs(r, f) for r in runs],
                    [t[3] for t in TRANSFER])), '']
    out += ['Each cell: mean ± std of the paired differences over the seeds '
            'of that run, and the two-sided paired t-test ("separated": '
            'p < 0.05). A verdict holds when it is the same in every run '
            '(for "separated", with the same sign).', '',
            *[f'- {r.label}: {r.settings["seeds"]} (seeds), '
              f'{r.settings["transfer_seeds"]} (transfer seeds); '
              f'`{r.command}`' for r in runs], '']
    return '\n'.join(out)
