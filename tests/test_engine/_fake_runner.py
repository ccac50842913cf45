"""A stand-in for mmengine's Runner with just what the hooks read, so each
hook is tested on its own (the end-to-end runs live in tests/test_reliability
and tests/test_apis)."""
import itertools
from types import SimpleNamespace

from mmengine.logging import MessageHub

_ids = itertools.count()


class RecordingLogger:
    """Collects ``info``/``warning`` lines."""

    def __init__(self):
        self.lines = []

    def info(self, msg):
        self.lines.append(msg)

    warning = info


def fake_runner(**fields) -> SimpleNamespace:
    """A runner with a fresh message hub, a recording logger, one process,
    iteration 0 of epoch 0, and ``fields`` on top."""
    hub = MessageHub.get_instance(f'mmlgd-test-engine-{next(_ids)}')
    base = dict(message_hub=hub, logger=RecordingLogger(), world_size=1,
                iter=0, epoch=0)
    return SimpleNamespace(**{**base, **fields})
