"""Benchmark of LGD's hot paths (``tools/analysis_tools/benchmark.py``,
``make benchmark``), written to ``docs/benchmark.md``.

Modules: :mod:`.runner` (sections and sizes), :mod:`.lgka` (VSB update vs
a per-category loop), :mod:`.step` (training step stage by stage),
:mod:`.fastpath` (teacher/student fast-path candidates), :mod:`.tsb` (TSB
cold vs cached), :mod:`.models` (random-weight models from the configs),
:mod:`.common` (interleaved timing, peak memory, machine info),
:mod:`.report` (the markdown). Nothing here is imported by ``import
mmlgd``.
"""
from .runner import FULL, QUICK, SECTIONS, SETTINGS, run

__all__ = ['FULL', 'QUICK', 'SECTIONS', 'SETTINGS', 'run']
