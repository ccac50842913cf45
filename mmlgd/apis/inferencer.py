"""Open-vocabulary image classification with a distilled LGD student."""
import os
import os.path as osp
from math import ceil
from typing import Callable, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, default_collate
from mmpretrain.apis.base import BaseInferencer
from mmpretrain.registry import TRANSFORMS
from mmpretrain.structures import DataSample

from mmlgd.datasets.transforms import StrictLoadImageFromFile
from mmlgd.deployment.builder import build_zero_shot_classifier, load_run
from mmlgd.deployment.preprocess import inference_pipeline
from mmlgd.models.text import resolve_classes
from mmlgd.utils.images import IMAGE_EXTENSIONS, list_image_files

InputType = Union[str, np.ndarray, Sequence[Union[str, np.ndarray]]]


def list_images(folder: str) -> List[str]:
    """Image files directly in ``folder`` (by extension), sorted.

    Raises:
        ValueError: the folder holds no image file.
    """
    names = list_image_files(folder)
    if not names:
        raise ValueError(f'Folder {folder!r} holds no image file '
                         f'(extensions {IMAGE_EXTENSIONS}).')
    return [osp.join(folder, n) for n in names]


class ZeroShotInferencer(BaseInferencer):
    """Zero-shot (open-vocabulary) classification with an LGD student, in
    the style of mmpretrain's ``ImageClassificationInferencer``.

    The student, its LGKA projector and a TSB over ``classes`` form a
    :class:`mmlgd.models.ZeroShotClassifier` — the module ``tools/test.py``
    evaluates — so predictions equal the zero-shot evaluation's
    (``softmax(100 * z_S L^T)``, LGD paper Sec. 4). A new class list is
    encoded with the run's own text encoder and cached (TSB cache).

    Args:
        model (str): an LGD checkpoint (its config is read from the file) or
            a ``.py`` config (LGD run or ``ZeroShotClassifier``).
        checkpoint (str, optional): weights when ``model`` is a config.
        classes: list of names, a names file (one per line) or a known set
            (``fashion_mnist``, ``imagenet1k``...); ``None``: the run's.
        templates: prompt templates (``'openai'``, ``'simple'`` or a list
            of strings with ``{}``); ``None``: the run's.
        topk (int): categories returned per image (capped at K).
        device (str): torch device (default CPU).
        tsb_cache_dir (str, optional): TSB cache; ``None``: the run's.

    Example:
        >>> inferencer = ZeroShotInferencer(
        ...     'work_dirs/lgd/epoch_200.pth',
        ...     classes=['sneaker', 'sandal', 'boot'])
        >>> inferencer('shoe.jpg')[0]['pred_class']
        'sneaker'

    Raises:
        ValueError: empty or duplicate class list; a backbone-only
            checkpoint (zero-shot needs the projector); TSB dimension
            differs from the projector's; a config that is no LGD run.
        FileNotFoundError: a model file does not exist.
    """

    preprocess_kwargs: set = set()
    forward_kwargs: set = set()
    visualize_kwargs: set = set()
    postprocess_kwargs: set = {'topk'}

    def __init__(self, model: str, checkpoint: Optional[str] = None,
                 classes=None, templates=None, topk: int = 5,
                 device: Union[str, torch.device] = 'cpu',
                 tsb_cache_dir: Optional[str] = None) -> None:
        if classes is not None:
            classes = resolve_classes(classes)  # early: empty / duplicates
        cfg, state, meta = load_run(model, checkpoint)
        net = build_zero_shot_classifier(cfg, state, meta, classes,
                                         templates, tsb_cache_dir, device)
        super().__init__(net, pretrained=False, device=device)
        self.classes: List[str] = list(net.tsb.classes)
        self.topk = topk
        self.collate_fn = default_collate
        self._loader = StrictLoadImageFromFile()  # errors name the file
        self.skipped: List[tuple] = []  # (index, path, error) of the last call
        self.kept: List[int] = []

    def _init_pipeline(self, cfg: Config) -> Callable:
        return Compose([TRANSFORMS.build(t)
                        for t in inference_pipeline(cfg)])

    def _inputs_to_list(self, inputs: InputType) -> list:
        """A path, folder, array or a list of them -> flat list (folders
        expanded to their sorted image files)."""
        if isinstance(inputs, (str, os.PathLike, np.ndarray)):
            inputs = [inputs]
        out = []
        for item in inputs:
            if isinstance(item, os.PathLike):
                item = os.fspath(item)
            if isinstance(item, str) and osp.isdir(item):
                out.extend(list_images(item))
            elif isinstance(item, str) and not osp.exists(item):
                raise FileNotFoundError(
                    f'Input {item!r} does not exist: pass image files, '
                    'folders of images or (H, W, 3) BGR arrays.')
            else:
                out.append(item)
        return out

    def _load(self, item, index: int) -> dict:
        if isinstance(item, str):
            return self._loader.transform(dict(img_path=item))
        if not isinstance(item, np.ndarray) or item.ndim not in (2, 3) or (
                item.ndim == 3 and item.shape[2] not in (1, 3)):
            raise ValueError(
                f'Input {index} is not an image: expected a file path or an '
                '(H, W) / (H, W, 3) BGR array, got '
                f'{getattr(item, "shape", type(item).__name__)}.')
        img = item if item.ndim == 3 else item[..., None]
        if img.shape[2] == 1:
            img = np.repeat(img, 3, axis=2)  # as mmcv reads grey files
        return dict(img=np.ascontiguousarray(img), img_shape=img.shape[:2],
                    ori_shape=img.shape[:2])

    def _readable(self, inputs: list, skip_bad: bool):
        """Loaded inputs; with ``skip_bad`` an unreadable file is left out
        and recorded in ``self.skipped`` (``(index, path, error)``)."""
        for i, x in enumerate(inputs):
            try:
                loaded = self._load(x, i)
            except OSError as err:  # names the file (StrictLoadImageFromFile)
                if not skip_bad:
                    raise
                self.skipped.append((i, x, str(err)))
                continue
            self.kept.append(i)
            yield loaded

    def preprocess(self, inputs: list, batch_size: int = 1,
                   skip_bad: bool = False):
        """Load (errors name the file) and transform, in batches; see
        :meth:`__call__` for ``skip_bad``."""
        self.skipped, self.kept = [], []
        data = (self.pipeline(x) for x in self._readable(inputs, skip_bad))
        for chunk in self._get_chunk_data(data, batch_size):
            yield self.collate_fn(chunk)

    def __call__(self, inputs: InputType, return_datasamples: bool = False,
                 batch_size: int = 1, progress: Optional[bool] = None,
                 skip_bad: bool = False, **kwargs) -> list:
        """Classify images.

        Args:
            inputs: image path, folder, (H, W[, 3]) BGR array, or a list.
            return_datasamples (bool): return ``DataSample`` objects.
            batch_size (int): images per forward pass.
            progress (bool, optional): mmengine's progress bar; ``None``:
                on when a folder is among the inputs.
            skip_bad (bool): leave out image files that cannot be read
                (empty, truncated, not an image) instead of raising; after
                the call ``self.skipped`` lists them as ``(index, path,
                error)`` and ``self.kept`` the indices (into the expanded
                input list) of the images the results are for.
            topk (int, optional): overrides the constructor's ``topk``.

        Returns:
            list[dict]: per (readable) image ``pred_label``, ``pred_class``,
            ``pred_score``, ``pred_scores`` (K,) and ``topk`` (list of
            ``{'label', 'class', 'score'}``, best first).

        Raises:
            OSError: an unreadable image file, named (without
                ``skip_bad``).
        """
        _, _, _, post_kwargs = self._dispatch_kwargs(**kwargs)
        items = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if progress is None:
            progress = any(isinstance(x, (str, os.PathLike)) and osp.isdir(x)
                           for x in items)
        ori_inputs = self._inputs_to_list(inputs)
        batches = self.preprocess(ori_inputs, batch_size=batch_size,
                                  skip_bad=skip_bad)
        if progress:
            from mmengine.utils import track_iter_progress
            batches = track_iter_progress(
                (batches, ceil(len(ori_inputs) / batch_size)))
        preds = []
        for data in batches:
            preds.extend(self.forward(data))
        return self.postprocess(preds, None, return_datasamples,
                                **post_kwargs)

    def postprocess(self, preds: List[DataSample], visualization=None,
                    return_datasamples: bool = False,
                    topk: Optional[int] = None) -> list:
        if return_datasamples:
            return preds
        k = min(topk or self.topk, len(self.classes))
        results = []
        for sample in preds:
            scores = sample.pred_score.detach().float().cpu()
            top = torch.topk(scores, k)
            results.append(dict(
                pred_label=int(top.indices[0]),
                pred_class=self.classes[int(top.indices[0])],
                pred_score=float(top.values[0]),
                pred_scores=scores.numpy(),
                topk=[{'label': int(i), 'class': self.classes[int(i)],
                       'score': float(s)}
                      for s, i in zip(top.values, top.indices)]))
        return results
