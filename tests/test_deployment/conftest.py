"""Fixtures for the deployment tests; helpers live in _deploy_helpers.py
(next to this file) and the tiny LGD runs in tests/_tiny_lgd.py (tests/ is
on pytest's ``pythonpath``)."""
import pytest
from _tiny_clip import write_tiny_clip


@pytest.fixture(scope='session')
def tiny_clip16(tmp_path_factory):
    """A second tiny CLIP whose text space is 16-d (the first is 32-d)."""
    from _tiny_clip import TINY_CLIP_CFG
    root = str(tmp_path_factory.mktemp('tiny_clip16'))
    name = 'mmlgd-tiny-rn16'
    cfg_path, weights = write_tiny_clip(root, name,
                                        dict(TINY_CLIP_CFG, embed_dim=16))
    return name, cfg_path, weights


@pytest.fixture
def tsb16_run(tiny_clip, tiny_clip16, tmp_path):
    """(config whose TSB is 16-d, checkpoint whose projector outputs 32-d).
    """
    from _deploy_helpers import write_run
    cfg16, _ = write_run(str(tmp_path / 'a'), tiny_clip,
                         str(tmp_path / 'tsb'), encoder_clip=tiny_clip16)
    _, ckpt = write_run(str(tmp_path / 'b'), tiny_clip,
                        str(tmp_path / 'tsb'))
    return cfg16, ckpt
