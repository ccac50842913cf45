"""The embedded Fashion-MNIST demo (``tools/run_demo.py``, ``make demo``):
the whole LGD pipeline offline on CPU, with resumable stages and a report.

Modules: :mod:`.pipeline` (:func:`run`; the command line is
:mod:`mmlgd.cli.run_demo`), :mod:`.plan` (settings, the
ordered stages and the stage graph), :mod:`.scheduler` (stages one after
another, or in parallel in processes of their own: :mod:`.parallel`),
:mod:`.results` (``<work_dir>/results/<stage>.json``, resume, incomplete
marks),
:mod:`.stages` (each kind of stage through the Runner of
:mod:`mmlgd.apis` and the data tools of
:mod:`mmlgd.datasets.fashion_mnist`; schedules set by :mod:`.options`),
:mod:`.profile` (start-up / train / eval time of each stage),
:mod:`.report` and :mod:`.plots` (``report.md`` with tables, PNG plots and
the stage-time table). Not imported by ``import mmlgd``.
"""
from .pipeline import run

__all__ = ['run']
