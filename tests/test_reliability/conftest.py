"""Shared helpers (``_tiny_lgd``, ``_dist_workers``) on the import path, and
a fixture for tiny CPU training runs."""
import os.path as osp
import sys

import pytest
import torch

HERE = osp.dirname(osp.abspath(__file__))
if HERE not in sys.path:  # the helpers under any pytest import mode
    sys.path.insert(0, HERE)


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
