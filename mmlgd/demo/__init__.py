"""The embedded Fashion-MNIST demo (``tools/run_demo.py``, ``make demo``):
the whole LGD pipeline offline on CPU, with resumable stages and a report.

Modules: :mod:`.pipeline` (command line and stage loop), :mod:`.plan`
(settings and the ordered stages), :mod:`.stages` (each stage through
:mod:`mmlgd.apis` train/test and the data tools of
:mod:`mmlgd.datasets.fashion_mnist`; results in
``<work_dir>/results/<stage>.json``; their ``--cfg-options`` from
:mod:`.options`), :mod:`.report` and :mod:`.plots`
(``report.md`` with tables, PNG plots and the stage-time table). Not
imported by ``import mmlgd``.
"""
from .pipeline import main, run

__all__ = ['main', 'run']
