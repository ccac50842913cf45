"""Shared fixtures; the helpers live in tests/_tiny_clip.py, _tiny_lgd.py,
_tiny_data.py and _dist_workers.py (tests/ is on pytest's ``pythonpath``,
see pyproject.toml)."""

import pytest
import torch
from _ports import find_free_port
from _tiny_clip import TINY_CLIP, write_tiny_clip

import mmlgd  # noqa: F401  (registers every module, as configs do)


@pytest.fixture(scope='session', autouse=True)
def one_torch_thread():
    """One intra-op thread for the whole suite: the tensors here are tiny,
    so extra threads only add synchronisation, and on a busy 2-core
    machine they wait for descheduled workers. Restored at the end."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def keep_default_scope():
    """Put mmengine's default scope back after each test: a test that
    builds an mmdet/mmseg runner leaves that scope current, and a later
    test building ``LGD`` through the registry would then look in the wrong
    one (the outcome would depend on the test order). No scope at all
    behaves as mmpretrain's (``MODELS`` here is mmpretrain's registry)."""
    from mmengine.registry import DefaultScope
    before = DefaultScope.get_current_instance()
    want = before.scope_name if before is not None else 'mmpretrain'
    yield
    after = DefaultScope.get_current_instance()
    if after is not None and after.scope_name != want:
        _restored.append(want)
        DefaultScope.get_instance(f'mmlgd-tests-{len(_restored)}',
                                  scope_name=want)


_restored = []


@pytest.fixture
def free_port() -> int:
    """:func:`find_free_port` as a fixture."""
    return find_free_port()


@pytest.fixture(scope='session')
def tiny_clip(tmp_path_factory):
    """(model_name, model_config_json, weights_file) of a tiny ResNet CLIP
    (32 px, 32-d embeddings)."""
    root = str(tmp_path_factory.mktemp('tiny_clip'))
    cfg_path, weights = write_tiny_clip(root)
    return TINY_CLIP, cfg_path, weights


@pytest.fixture
def tsb_cache(tmp_path):
    return str(tmp_path / 'tsb_cache')
