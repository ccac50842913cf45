"""Fixtures for the downstream-transfer tests (configs, extract_student,
pretrained check, tiny end-to-end runs)."""
import importlib.util
import os.path as osp
import sys

import pytest

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))
if HERE not in sys.path:  # `_tiny_data` under any pytest import mode
    sys.path.insert(0, HERE)
if REPO not in sys.path:
    sys.path.insert(0, REPO)

import _tiny_data  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'e2e: end-to-end train/test runs on tiny generated data '
        '(tens of seconds each on 2 CPU cores)')


def load_tool(name: str):
    """Import ``tools/<name>.py`` as a module (tools/ is not a package)."""
    path = osp.join(REPO, 'tools', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'_mmlgd_tool_{name}',
                                                  path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def tools():
    """``tools.train``, ``tools.test``, ``tools.extract_student`` modules."""
    class _Tools:
        train = load_tool('train')
        test = load_tool('test')
        extract_student = load_tool('extract_student')
    return _Tools


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
