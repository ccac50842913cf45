"""Build the neighbour file of a BINGO config (``tools/bingo_neighbours.py``).

    python tools/bingo_neighbours.py CONFIG [--k K] [--force]

As BINGO's ``compute_knn.py`` (haohang96/bingo, lines 84-99 and 143-146;
``clustering.py`` lines 32-96): the frozen teacher embeds one clean view
(the config's ``knn_pipeline``: resize + centre crop) of every training
image, and each image's ``k`` nearest other images by cosine similarity of
the unit embeddings (= L2 distance, the reference's ``IndexFlatL2``) form
its bag. The embeddings come from a one-view teacher cache
(:func:`mmlgd.apis.teacher_cache.build_teacher_cache`: resumable,
distributed, keyed on teacher, pipeline and images), kept beside the
neighbour file. The command line is :mod:`mmlgd.cli.bingo_neighbours`.
"""
import copy
import os.path as osp
from typing import Optional

import numpy as np
import torch
from mmengine.config import Config

from ..datasets.bag_of_instances import save_neighbours


def nearest_neighbours(embeddings: torch.Tensor, k: int,
                       chunk: int = 1024) -> np.ndarray:
    """The ``k`` most similar other rows of each row (cosine similarity,
    most similar first, the row itself excluded).

    Args:
        embeddings (Tensor): (N, D) unit rows.
        k (int): neighbours per row, 1 <= k < N.
        chunk (int): rows compared at once ((chunk, N) similarities).

    Returns:
        ndarray: (N, k) int64 row indices.

    Raises:
        ValueError: ``k`` < 1 or ``k`` >= N.
    """
    n = embeddings.shape[0]
    if not 1 <= k < n:
        raise ValueError(f'BINGO bags of k={k} neighbours need 1 <= k < the '
                         f'number of images ({n}): lower --k.')
    emb = embeddings.float()
    out = []
    for lo in range(0, n, chunk):
        sim = emb[lo:lo + chunk] @ emb.T
        rows = torch.arange(lo, min(lo + chunk, n))
        sim[rows - lo, rows] = -float('inf')  # not its own neighbour
        out.append(sim.topk(k, dim=1).indices)
    return torch.cat(out).numpy().astype(np.int64)


def knn_config(cfg: Config) -> Config:
    """``cfg`` with the bag's inner dataset as the training set, read with
    the clean ``knn_pipeline`` (what the teacher cache embeds).

    Raises:
        KeyError: not a BINGO config (no ``BagOfInstancesDataset`` or no
            ``knn_pipeline``).
    """
    bag = cfg.train_dataloader.dataset
    if bag.get('type') != 'BagOfInstancesDataset' or \
            'knn_pipeline' not in cfg:
        raise KeyError('Not a BINGO config: it needs train_dataloader.'
                       'dataset of type BagOfInstancesDataset and a '
                       'top-level knn_pipeline (see configs/bingo/).')
    out = copy.deepcopy(cfg)
    inner = copy.deepcopy(bag.dataset)
    inner.pipeline = copy.deepcopy(cfg.knn_pipeline)
    out.train_dataloader.dataset = inner
    return out


def build_neighbours(cfg: Config, k: Optional[int] = None,
                     out: Optional[str] = None,
                     cache_dir: Optional[str] = None,
                     batch_size: int = 64, force: bool = False) -> str:
    """Write the neighbour file of a BINGO config.

    Args:
        cfg (Config): a BINGO config.
        k (int, optional): neighbours per image; default the dataset's
            ``num_neighbours``.
        out (str, optional): default the config's ``neighbour_file``.
        cache_dir (str, optional): the one-view teacher cache; default
            ``<out>.teacher-cache``.
        batch_size (int): teacher batch.
        force (bool): replace an existing neighbour file.

    Returns:
        str: the neighbour file.

    Raises:
        FileExistsError: ``out`` exists and ``force`` is False.
        KeyError / ValueError: see :func:`knn_config`,
            :func:`nearest_neighbours`.
    """
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import DATASETS

    from ..teacher_cache.key import plain
    from ..teacher_cache.store import TeacherCacheStore
    from .teacher_cache import build_teacher_cache
    init_default_scope(cfg.get('default_scope', None) or 'mmpretrain')
    bag = cfg.train_dataloader.dataset
    k = k or bag.get('num_neighbours', 5)
    out = out or bag.neighbour_file
    if osp.exists(out) and not force:
        raise FileExistsError(f'{out} already exists; refusing to overwrite '
                              'it. Pass --force to rebuild it.')
    kcfg = knn_config(cfg)
    dataset = DATASETS.build(kcfg.train_dataloader.dataset)
    n = len(dataset)
    if not 1 <= k < n:
        raise ValueError(f'BINGO bags of k={k} neighbours need 1 <= k < the '
                         f'number of images ({n}): lower --k.')
    cache_dir = cache_dir or out + '.teacher-cache'
    build_teacher_cache(kcfg, cache_dir, num_views=1, dtype='float32',
                        batch_size=batch_size, force=force)
    emb = TeacherCacheStore(cache_dir).lookup(np.arange(n),
                                              np.zeros(n, np.int64))
    emb = torch.nn.functional.normalize(torch.from_numpy(emb).float(), dim=1)
    save_neighbours(out, nearest_neighbours(emb, k), dataset, force=force,
                    meta=dict(teacher_cache=osp.abspath(cache_dir),
                              knn_pipeline=plain(kcfg.knn_pipeline)))
    return out
