"""Tools that run shipped configs small: tiny generated data in each
dataset's own format, a tiny open_clip teacher / text tower, and the
shrinker of paper configs used by the launch tests (``tests/test_testing``)
and the GPU check. Not imported by ``import mmlgd``."""
