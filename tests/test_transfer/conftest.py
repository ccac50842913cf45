"""Fixtures for the downstream-transfer tests (configs, extract_student,
pretrained check, tiny end-to-end runs). ``_tiny_data`` lives in ``tests/``
(on pytest's ``pythonpath``, see pyproject.toml)."""
import types

import _tiny_data
import pytest

from mmlgd.apis import extract_student
from mmlgd.cli import test, train


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'e2e: end-to-end train/test runs on tiny generated data '
        '(tens of seconds each on 2 CPU cores)')


@pytest.fixture(scope='session')
def tools():
    """What ``tools/train.py`` and ``tools/test.py`` run (``run(argv)``
    returns the runner / the metrics, :mod:`mmlgd.cli`) and the library of
    ``tools/extract_student.py``."""
    return types.SimpleNamespace(train=train, test=test,
                                 extract_student=extract_student)


@pytest.fixture(scope='session')
def lgd_ckpt(tmp_path_factory):
    """``make(arch) -> (path, student_state_dict)``; one file per arch."""
    root = tmp_path_factory.mktemp('lgd_ckpts')
    cache = {}

    def make(arch='r18'):
        if arch not in cache:
            path = str(root / f'lgd_{arch}.pth')
            cache[arch] = (path, _tiny_data.make_lgd_checkpoint(path, arch))
        return cache[arch]
    return make


@pytest.fixture(scope='session')
def tiny():
    """The :mod:`_tiny_data` helpers."""
    return _tiny_data
