"""Shared fixtures; the helpers live in tests/tiny_clip.py."""
import pytest
from tiny_clip import TINY_CLIP, write_tiny_clip

import mmlgd  # noqa: F401  (registers every module, as configs do)


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
