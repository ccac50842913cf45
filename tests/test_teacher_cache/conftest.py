"""One tiny LGD config over 5 random PNGs and its teacher cache (N=2,
seed 3, 3 shards of 2 images), built once for the teacher-cache tests."""
import pytest
from _tiny_lgd import write_images, write_lgd_config
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmlgd.teacher_cache import build_teacher_cache

N = 2
SEED = 3


@pytest.fixture(scope='session')
def cache(tiny_clip, tmp_path_factory):
    """(cfg, cache_dir, root): ``root/cfg.py`` is the config file,
    ``root/imgs`` the images."""
    init_default_scope('mmpretrain')
    root = tmp_path_factory.mktemp('cache')
    write_images(str(root / 'imgs'), 5)
    path = write_lgd_config(str(root / 'cfg.py'), tiny_clip,
                            str(root / 'imgs'), str(root / 'tsb'))
    cfg = Config.fromfile(path)
    out = str(root / 'cache')
    build_teacher_cache(cfg, out, N, seed=SEED, shard_size=2, batch_size=4)
    return cfg, out, root
