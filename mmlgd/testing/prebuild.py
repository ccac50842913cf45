"""What a shrunk config needs built before it is launched: the teacher
cache of a cached config and the neighbour file of a BINGO config, from the
shrunk teacher and data, as ``tools/cache_teacher.py`` and
``tools/bingo_neighbours.py`` build them for a real run. Used by
:func:`mmlgd.testing.config_shrink.shrink_config`; both run in the parent
process, not distributed, before the launch.
"""
import copy
import os.path as osp

from mmengine.config import Config


def prebuild_teacher_cache(cfg: Config, root: str, device: str) -> None:
    """A teacher-cache config (``CachedTeacher``): build its cache under
    ``root/teacher_cache`` and point the teacher and dataset at it (in
    place); other configs are left alone.

    Args:
        cfg (Config): a shrunk config.
        root (str): the config's tiny-data folder.
        device (str): where the teacher runs (``'cpu'`` / ``'cuda'``).
    """
    teacher = cfg.model.get('target_generator') or {}
    loader = cfg.get('train_dataloader') or {}
    if teacher.get('type') != 'CachedTeacher':
        return
    from mmlgd.teacher_cache import build_teacher_cache
    plain = copy.deepcopy(cfg)
    # copies: building the teacher may consume its config's keys
    plain.model.target_generator = copy.deepcopy(teacher.teacher)
    plain.train_dataloader.dataset = copy.deepcopy(loader.dataset.dataset)
    cache = osp.join(root, 'teacher_cache')
    build_teacher_cache(plain, cache, loader.dataset.num_views, device=device)
    teacher.cache_dir = loader.dataset.cache_dir = cache


def prebuild_neighbours(cfg: Config, root: str, max_k: int) -> None:
    """A BINGO config: build its neighbour file as ``root/neighbours.npz``
    with ``k = min(num_neighbours, max_k)`` and point the bag dataset at it
    (in place); other configs are left alone.

    Args:
        cfg (Config): a shrunk config (its ``knn_pipeline`` shrunk too).
        root (str): the config's tiny-data folder.
        max_k (int): at most this many neighbours (images per epoch - 1).
    """
    if cfg.model.get('type') != 'BINGO':
        return
    from mmlgd.apis.bingo_neighbours import build_neighbours
    bag = cfg.train_dataloader.dataset
    bag.num_neighbours = min(bag.get('num_neighbours', 5), max_k)
    bag.neighbour_file = build_neighbours(
        copy.deepcopy(cfg), k=bag.num_neighbours,
        out=osp.join(root, 'neighbours.npz'), force=True)
