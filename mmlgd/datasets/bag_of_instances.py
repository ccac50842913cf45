"""BINGO's bags of instances: each training image with one of its teacher
nearest neighbours and a CutMix box, read from a neighbour file."""
import json
import os.path as osp
from typing import Optional, Union

import numpy as np
from mmpretrain.registry import DATASETS

from ..teacher_cache.key import dataset_identity
from ..utils.fileio import atomic_open

#: Version of the neighbour-file layout written by :func:`save_neighbours`.
NEIGHBOUR_FORMAT = 1
_FIX = ('build it for this dataset with `python tools/bingo_neighbours.py '
        'CONFIG` (it writes the file the config names).')


def _identity(dataset) -> dict:
    return dataset_identity(dataset, content=None)


def save_neighbours(path: str, neighbours: np.ndarray, dataset,
                    meta: Optional[dict] = None, force: bool = False) -> None:
    """Write a neighbour file (``.npz``, atomic): ``neighbours`` (N, k) int64
    and a JSON card (format, k, the dataset's image count and sha256 of its
    image list, ``meta``).

    Args:
        path (str): the ``.npz`` file.
        neighbours (ndarray): (N, k) dataset indices, row ``i`` = the k
            nearest neighbours of image ``i`` (itself excluded), nearest
            first.
        dataset: the dataset the rows index (mmpretrain ``BaseDataset``).
        meta (dict, optional): JSON-plain facts (teacher, view pipeline).
        force (bool): replace an existing file.

    Raises:
        ValueError: ``neighbours`` is not (len(dataset), k) or indexes
            outside the dataset.
        FileExistsError: ``path`` exists and ``force`` is False.
    """
    neighbours = np.asarray(neighbours, dtype=np.int64)
    n = len(dataset)
    if neighbours.ndim != 2 or neighbours.shape[0] != n or \
            neighbours.min(initial=0) < 0 or neighbours.max(initial=0) >= n:
        raise ValueError(f'neighbours must be ({n}, k) indices into the '
                         f'dataset, got shape {neighbours.shape}.')
    card = dict(format=NEIGHBOUR_FORMAT, k=int(neighbours.shape[1]),
                dataset=_identity(dataset), meta=meta or {})
    with atomic_open(path, 'wb', force=force) as f:
        np.savez(f, neighbours=neighbours, card=np.array(json.dumps(card)))


def load_neighbours(path: str, dataset, k: int) -> np.ndarray:
    """The first ``k`` neighbours of every image of ``dataset``.

    Args:
        path (str): a file written by :func:`save_neighbours`.
        dataset: the training dataset (its identity must match the file's).
        k (int): neighbours per bag, 1 <= k <= the file's k.

    Returns:
        ndarray: (len(dataset), k) int64.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: another format, another dataset (changed images, order
            or count), or ``k`` out of range.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'BINGO neighbour file {path} not found: '
                                + _FIX)
    with np.load(path, allow_pickle=False) as data:
        card = json.loads(str(data['card']))
        table = data['neighbours']
    if card.get('format') != NEIGHBOUR_FORMAT:
        raise ValueError(f'{path} has neighbour-file format '
                         f'{card.get("format")}, this code reads '
                         f'{NEIGHBOUR_FORMAT}: ' + _FIX)
    want = _identity(dataset)
    if card['dataset'] != want:
        raise ValueError(
            f'{path} holds the bags of another dataset ({card["dataset"]}) '
            f'than the one being trained ({want}): the images, their order '
            'or their number changed, so its rows name the wrong '
            'neighbours; ' + _FIX)
    if not 1 <= k <= table.shape[1]:
        raise ValueError(f'BINGO bags of {k} neighbours need 1 <= k <= '
                         f'{table.shape[1]} (the k {path} was built with); '
                         'rebuild it with --k or lower num_neighbours.')
    return table[:, :k]


def cutmix_box(height: int, width: int, alpha: float) -> tuple:
    """One CutMix box as the reference draws it (haohang96/bingo
    ``utils.py`` lines 20-47): ``lam ~ Beta(alpha, alpha)``, a box of sides
    ``int(side * sqrt(1 - lam))`` centred uniformly, clipped to the image.
    Uses numpy's global generator (seeded per worker by mmengine).

    Returns:
        tuple: ``(y1, y2, x1, x2)`` pixel bounds, end exclusive.
    """
    lam = np.random.beta(alpha, alpha)
    cut = np.sqrt(1.0 - lam)
    ch, cw = int(height * cut), int(width * cut)
    cy, cx = np.random.randint(height), np.random.randint(width)
    return (int(np.clip(cy - ch // 2, 0, height)),
            int(np.clip(cy + ch // 2, 0, height)),
            int(np.clip(cx - cw // 2, 0, width)),
            int(np.clip(cx + cw // 2, 0, width)))


@DATASETS.register_module()
class BagOfInstancesDataset:
    """Training samples for :class:`BINGO` (Xu et al., ICLR 2022, Sec. 3.1;
    reference ``moco/folder.py`` lines 177-225): image ``i`` with one
    neighbour ``j`` drawn uniformly from its bag (its ``k`` nearest images
    in the teacher's embedding space, from the neighbour file) and a CutMix
    box.

    ``inputs`` is the image's views followed by the neighbour's (each from
    the wrapped dataset's pipeline: two views each for BINGO, the student's
    and the teacher's); ``data_samples`` is the image's, with metainfo
    ``bag_index`` (``j``) and ``cutmix_box`` (``(y1, y2, x1, x2)``, drawn
    per sample, see :func:`cutmix_box`).

    Args:
        dataset (dict): the wrapped dataset config (its pipeline ends in
            ``PackInputs``).
        neighbour_file (str): written by ``tools/bingo_neighbours.py``.
        num_neighbours (int): ``k`` (reference ``--clus_pos_num`` 5).
        cutmix_alpha (float): Beta parameter (reference 2.0).

    Raises:
        FileNotFoundError / ValueError: see :func:`load_neighbours`.
    """

    def __init__(self, dataset: Union[dict, object], neighbour_file: str,
                 num_neighbours: int = 5, cutmix_alpha: float = 2.0):
        self.dataset = DATASETS.build(dataset) if isinstance(
            dataset, dict) else dataset
        if num_neighbours >= len(self.dataset):
            raise ValueError(
                f'BINGO bags of {num_neighbours} neighbours need more than '
                f'{num_neighbours} images; the dataset has '
                f'{len(self.dataset)}: lower num_neighbours.')
        self.neighbour_file = neighbour_file
        self.neighbours = load_neighbours(neighbour_file, self.dataset,
                                          num_neighbours)
        self.cutmix_alpha = cutmix_alpha

    @property
    def metainfo(self) -> dict:
        return self.dataset.metainfo

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, idx: int) -> dict:
        row = self.neighbours[idx]
        j = int(row[np.random.randint(len(row))])
        image, bag = self.dataset[idx], self.dataset[j]
        views = list(image['inputs']) + list(bag['inputs'])
        height, width = views[0].shape[-2:]
        sample = image['data_samples']
        sample.set_metainfo(dict(
            bag_index=j,
            cutmix_box=cutmix_box(height, width, self.cutmix_alpha)))
        return dict(inputs=views, data_samples=sample)
