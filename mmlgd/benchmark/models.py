"""Models and batches of the step benchmark, built from the project's own
configs with random weights (nothing is downloaded).

* ``r18_rn50``: ``configs/_base_/models/lgd_clip-rn50_resnet18.py`` (the
  paper's ResNet-18 student <- CLIP RN50 teacher), teacher created by
  open_clip without pretrained weights, TSB a random unit (1000, 1024) bank.
* ``embedded``: ``configs/fashion_mnist/lgd_tac-r18_resnet18_1xb128-2e_
  fashion-mnist.py`` (ResNet-18 student <- text-aligned ResNet-18 teacher,
  32 px grayscale, D = 384, K = 10, batch 128), the teacher classifier from
  its own config with random weights saved to a temporary checkpoint, TSB a
  random unit (10, 384) bank.

The configs are the package's shipped ones (:func:`mmlgd.utils.configs.
config_path`), found from any directory.
"""
import copy
import os.path as osp
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from mmlgd.utils.configs import config_path

RN50_CFG = 'configs/_base_/models/lgd_clip-rn50_resnet18.py'
EMB_CFG = 'configs/fashion_mnist/lgd_tac-r18_resnet18_1xb128-2e_fashion-mnist.py'  # noqa


class RandomBank(nn.Module):
    """A stand-in TSB: fixed random unit rows, same interface as
    :class:`TextualSemanticsBank` (``weight``, ``num_classes``, ``dim``,
    ``forward``)."""

    def __init__(self, num_classes: int, dim: int, seed: int = 0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.register_buffer(
            'weight', F.normalize(torch.randn(num_classes, dim, generator=g),
                                  dim=1), persistent=False)
        self.classes = [f'class{i}' for i in range(num_classes)]

    @property
    def num_classes(self) -> int:
        return self.weight.shape[0]

    @property
    def dim(self) -> int:
        return self.weight.shape[1]

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z @ self.weight.to(z.dtype).T


def _cfg(name: str):
    """The shipped config ``name`` (``'configs/...'``), loaded."""
    from mmengine.config import Config
    return Config.fromfile(config_path(name))


def build_r18_rn50() -> Tuple[nn.Module, dict]:
    """LGD R18 <- CLIP RN50 (random weights). Returns (model, meta)."""
    from mmpretrain.registry import MODELS
    model_cfg = _cfg(RN50_CFG).model
    model_cfg.target_generator.pretrained = ''  # open_clip: random init
    model_cfg.tsb = RandomBank(1000, 1024)
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    meta = dict(name='R18 <- CLIP RN50', image=224, channels=3,
                source=RN50_CFG, teacher='OpenCLIPVisionTeacher RN50 '
                '(open_clip, random init)', K=1000, D=1024,
                model_cfg=model_cfg)
    return model, meta


def build_embedded(tmpdir: str) -> Tuple[nn.Module, dict]:
    """LGD of the embedded default (random weights). Returns (model, meta).
    """
    from mmpretrain.registry import MODELS
    bank = RandomBank(10, 384)
    cfg = _cfg(EMB_CFG)
    teacher_cfg = _cfg(cfg.teacher_config).model
    lgd_cfg, batch, source = cfg.model, cfg.train_dataloader.batch_size, \
        EMB_CFG
    teacher_cfg = copy.deepcopy(teacher_cfg)
    teacher_cfg.pop('data_preprocessor', None)
    teacher_cfg.head.tsb = bank
    torch.manual_seed(1)
    classifier = MODELS.build(teacher_cfg)
    ckpt = osp.join(tmpdir, 'random_text_aligned_teacher.pth')
    torch.save(dict(state_dict=classifier.state_dict()), ckpt)
    del classifier
    lgd_cfg.target_generator.config = teacher_cfg
    lgd_cfg.target_generator.checkpoint = ckpt
    lgd_cfg.tsb = bank
    torch.manual_seed(0)
    model = MODELS.build(lgd_cfg)
    meta = dict(name='embedded: R18 <- text-aligned R18', image=32,
                channels=1, batch=batch, source=source,
                teacher='TextAlignedTeacher ResNet-18 (random init)', K=10,
                D=384, model_cfg=lgd_cfg)
    return model, meta


def make_samples(batch: int, channels: int, size: int,
                 seed: int = 0) -> List[dict]:
    """An already decoded and augmented batch, as ``PackInputs`` yields it
    for one view: ``dict(inputs=[uint8 (C, H, W)], data_samples=...)``."""
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    return [dict(inputs=[torch.randint(0, 256, (channels, size, size),
                                       generator=g, dtype=torch.uint8)],
                 data_samples=DataSample()) for _ in range(batch)]


def collate_preprocess(model: nn.Module, samples: List[dict]) -> dict:
    """The data stage of a step after the workers: ``default_collate`` (the
    configs' ``collate_fn``) then the model's data preprocessor (to device,
    float, normalise)."""
    from mmengine.dataset import default_collate
    return model.data_preprocessor(default_collate(samples), True)


def optimizer_for(model: nn.Module, batch: int) -> torch.optim.Optimizer:
    """SGD as in the paper's recipe (lr 0.03 x batch / 256, momentum 0.9,
    weight decay 1e-4) over the trainable parameters (not the teacher)."""
    params = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.SGD(params, lr=0.03 * batch / 256, momentum=0.9,
                           weight_decay=1e-4)


def build(setting: str, tmpdir: str,
          device: str) -> Tuple[nn.Module, dict]:
    """Build one setting on ``device`` in training mode."""
    import mmlgd  # noqa: F401 - registers the modules
    if setting == 'r18_rn50':
        model, meta = build_r18_rn50()
    elif setting == 'embedded':
        model, meta = build_embedded(tmpdir)
    else:
        raise ValueError(f'unknown setting {setting!r}')
    model.to(device).train()
    return model, meta


def teacher_of(model: nn.Module) -> nn.Module:
    """The frozen teacher module of an LGD model."""
    return model.target_generator


def amp_context(device: str, dtype: Optional[torch.dtype]):
    """``torch.autocast`` for ``dtype`` on ``device``, or a no-op."""
    import contextlib
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=str(device).split(':')[0],
                          dtype=dtype)
