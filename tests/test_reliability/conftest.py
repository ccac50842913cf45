"""A fixture for tiny CPU training runs. The shared helpers
(``_tiny_lgd``, ``_dist_workers``) live in ``tests/`` (on pytest's
``pythonpath``, see pyproject.toml)."""
import pytest
import torch


@pytest.fixture
def one_thread():
    """One intra-op thread (bitwise-reproducible runs, and far faster than
    two threads on two busy cores); afterwards undo it and the global
    ``torch.use_deterministic_algorithms`` that
    ``randomness=dict(deterministic=True)`` switches on."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(False)
