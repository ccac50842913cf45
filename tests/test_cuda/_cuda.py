"""Shared pieces of the CUDA tests (``pytest -m cuda``): the skip marker and
a tiny LGD / SEED model built from the tests' tiny open_clip model."""
import pytest
import torch
from _tiny_clip import tiny_teacher, tiny_text_encoder

NO_CUDA = ('CUDA is not available (torch.cuda.is_available() is False): '
           'these tests need a GPU; run them with '
           'tools/analysis_tools/gpu_check.sh on a GPU machine')
# Applied to every CUDA test: selected by `-m cuda`, skipped without a GPU.
CUDA = [pytest.mark.cuda,
        pytest.mark.skipif(not torch.cuda.is_available(), reason=NO_CUDA)]
# A device parameter: 'cpu' runs everywhere, 'cuda' carries the CUDA marks.
DEVICES = [pytest.param('cpu', id='cpu'),
           pytest.param('cuda', id='cuda', marks=CUDA)]


def cuda_test(fn):
    """Decorator: the CUDA marks (``cuda`` + skip without a GPU)."""
    for mark in reversed(CUDA):
        fn = mark(fn)
    return fn


CLASSES = ['cat', 'dog', 'car', 'tree', 'boat', 'bird']


def lgd_cfg(tiny_clip, tsb_cache, **neck):
    """A tiny LGD: ResNet-18 of width 8 (64 channels) <- tiny CLIP, 32 px."""
    return dict(
        type='LGD',
        backbone=dict(type='ResNet', depth=18, stem_channels=8,
                      base_channels=8),
        neck=dict(type='LGKANeck', in_channels=64, momentum=0.9, **neck),
        head=dict(type='LGDHead'),
        target_generator=tiny_teacher(tiny_clip),
        tsb=dict(type='TextualSemanticsBank',
                 encoder=tiny_text_encoder(tiny_clip), classes=CLASSES,
                 templates=['a photo of a {}.'], cache_dir=tsb_cache))


def seed_cfg(tiny_clip, size=16):
    """A tiny SEED with a ``size``-row queue (batch must divide it)."""
    return dict(
        type='SEED',
        backbone=dict(type='ResNet', depth=18, stem_channels=8,
                      base_channels=8),
        neck=dict(type='StudentProjector', in_channels=64),
        head=dict(type='SEEDHead'),
        target_generator=tiny_teacher(tiny_clip),
        queue=dict(type='EmbeddingQueue', size=size))


def images(batch, device, seed=0):
    """(B, 3, 32, 32) float images in [0, 255] on ``device``."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (batch, 3, 32, 32), generator=g).float().to(
        device)


def loss_sum(losses):
    """The training loss: the sum of the ``loss*`` entries."""
    return sum(v for k, v in losses.items() if k.startswith('loss'))
