"""A trained mmpretrain classifier with a text-aligned head as teacher."""
import os.path as osp
from typing import Optional, Sequence, Union

import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint
from mmpretrain.registry import MODELS

from .base_teacher import BaseTeacher
from .input_adapter import InputAdapter, clip_mean_std_255


@MODELS.register_module()
class TextAlignedTeacher(BaseTeacher):
    """Frozen mmpretrain classifier whose head projects into a text space
    (:class:`TextAlignedClsHead`), used as LGD teacher ``f_T``.

    Args:
        config (str | dict): the classifier's config file (or its ``model``
            dict), as used to train it with ``tools/train.py``.
        checkpoint (str): its trained checkpoint.
        data_mean (Sequence[float], optional): the LGD pipeline's
            normalisation mean (0-255 units; None: CLIP's,
            :func:`clip_mean_std_255`); inputs are re-normalised to the
            teacher config's own ``data_preprocessor`` mean/std when they
            differ.
        data_std (Sequence[float], optional): the pipeline's std (0-255
            units; None: CLIP's).
        image_size (int, optional): resize inputs to this size first.
        channels_last (bool): channels-last fast path, see
            :class:`~mmlgd.models.teachers.base_teacher.FastPath`.
        autocast_dtype (str, optional): autocast fast path, see
            :class:`~mmlgd.models.teachers.base_teacher.FastPath`.

    ``forward``: (B, 3, H, W) -> (B, D) L2-normalised, eval mode, no grad.

    Raises:
        FileNotFoundError: config or checkpoint path does not exist.
        TypeError: the classifier's head has no ``embed`` (not text-aligned).
        RuntimeError: the checkpoint does not fit the config's architecture.
    """

    def __init__(self, config: Union[str, dict], checkpoint: str,
                 data_mean: Optional[Sequence[float]] = None,
                 data_std: Optional[Sequence[float]] = None,
                 image_size: Optional[int] = None,
                 channels_last: bool = False,
                 autocast_dtype: Optional[str] = None):
        super().__init__(channels_last, autocast_dtype)
        if isinstance(config, str):
            if not osp.isfile(config):
                raise FileNotFoundError(
                    f'Teacher config {config!r} does not exist.')
            cfg = Config.fromfile(config)
            model_cfg = cfg.model
        else:
            model_cfg = Config(dict(model=config)).model
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(
                f'Teacher checkpoint {checkpoint!r} does not exist: train the '
                'teacher first (tools/train.py on its config) or fix the '
                'path.')
        pre = model_cfg.pop('data_preprocessor', None) or {}
        classifier = MODELS.build(model_cfg)
        if not hasattr(classifier.head, 'embed'):
            raise TypeError(
                f'Teacher head {type(classifier.head).__name__} is not text-'
                'aligned: use TextAlignedClsHead in the teacher config.')
        try:
            load_checkpoint(classifier, checkpoint, map_location='cpu',
                            strict=True, logger='silent')
        except RuntimeError as err:
            raise RuntimeError(
                f'Teacher checkpoint {checkpoint!r} does not fit the teacher '
                f'config architecture ({str(err)[:300]}...). Pass the config '
                'the checkpoint was trained with.') from err
        clip_mean, clip_std = clip_mean_std_255()
        data_mean = clip_mean if data_mean is None else data_mean
        data_std = clip_std if data_std is None else data_std
        t_mean = [m / 255.0 for m in pre.get('mean', data_mean)]
        t_std = [s / 255.0 for s in pre.get('std', data_std)]
        self.adapter = InputAdapter(data_mean, data_std, t_mean, t_std,
                                    image_size)
        self.classifier = self.fast.prepare(classifier)
        self.embed_dim = classifier.head.embed_dim
        self.freeze()

    def encode_image(self, x: torch.Tensor) -> torch.Tensor:
        """The classifier's backbone, neck and text-aligned head:
        (B, 3, h, w) -> (B, D), not normalised."""
        return self.classifier.head.embed(self.classifier.extract_feat(x))
