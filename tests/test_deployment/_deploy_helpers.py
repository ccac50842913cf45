"""Helpers for the deployment tests: LGD runs of the four paper students
(random weights, saved as real checkpoints with their config in
``meta['cfg']``), real Fashion-MNIST images, tools loaded as modules."""
import gzip
import os
import os.path as osp
import struct

import numpy as np
import pytest
import torch
from _tiny_clip import tiny_teacher, tiny_text_encoder

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))

FMNIST = '/usr/share/datasets/fashion-mnist'
CLASSES = ['cat', 'dog', 'car', 'tree', 'boat']
TEMPLATES = ['a photo of a {}.']
# The paper's students (configs/lgd/*), last-stage channels.
STUDENTS = {
    'resnet18': (dict(type='ResNet', depth=18), 512),
    'mobilenet-v2': (dict(type='MobileNetV2', widen_factor=1.0), 1280),
    'mobilenet-v3-large': (dict(type='MobileNetV3', arch='large'), 960),
    'efficientnet-b0': (dict(type='EfficientNet', arch='b0'), 1280),
}
LGD_RUN = '''
default_scope = 'mmpretrain'
model = dict(
    type='LGD',
    data_preprocessor=dict(type='SelfSupDataPreprocessor',
                           mean=[122.77, 116.75, 104.09],
                           std=[68.50, 66.63, 70.32], to_rgb=True),
    backbone={backbone!r},
    neck=dict(type='LGKANeck', in_channels={channels}),
    head=dict(type='LGDHead'),
    target_generator={teacher!r},
    tsb=dict(type='TextualSemanticsBank', encoder={encoder!r},
             classes={classes!r}, templates={templates!r},
             cache_dir={cache!r}))
test_pipeline = [dict(type='Resize', scale=({size}, {size})),
                 dict(type='PackInputs')]
'''


def write_run(folder, tiny_clip, cache, student='resnet18', size=32,
              encoder_clip=None, state_fn=None):
    """Write an LGD run's config and a checkpoint of its student (random
    weights, mmengine layout with ``meta['cfg']``); return (cfg, ckpt)."""
    from mmengine.config import Config
    from mmpretrain.registry import MODELS
    backbone, channels = STUDENTS[student]
    os.makedirs(folder, exist_ok=True)
    cfg_path = osp.join(folder, f'lgd_{student}.py')
    with open(cfg_path, 'w') as f:
        f.write(LGD_RUN.format(
            backbone=backbone, channels=channels,
            teacher=tiny_teacher(tiny_clip),
            encoder=tiny_text_encoder(encoder_clip or tiny_clip),
            classes=CLASSES, templates=TEMPLATES, cache=cache, size=size))
    cfg = Config.fromfile(cfg_path)
    torch.manual_seed(0)
    net = MODELS.build(backbone)
    neck = MODELS.build(dict(type='LGKANeck', in_channels=channels,
                             out_channels=32, num_classes=len(CLASSES)))
    state = {f'backbone.{k}': v for k, v in net.state_dict().items()}
    state.update({f'neck.{k}': v for k, v in neck.state_dict().items()})
    if state_fn is not None:
        state = state_fn(state)
    ckpt = osp.join(folder, f'{student}.pth')
    torch.save(dict(meta=dict(cfg=cfg.pretty_text), state_dict=state), ckpt)
    return cfg_path, ckpt


def _idx(path, count, header):
    with gzip.open(path, 'rb') as f:
        data = f.read(header + count * (784 if header == 16 else 1))
    arr = np.frombuffer(data[header:], np.uint8)
    return arr.reshape(count, 28, 28) if header == 16 else arr


def read_fmnist(split, count):
    """First ``count`` (images (N, 28, 28) uint8, labels (N,)) of Debian's
    Fashion-MNIST ``split`` ('train' or 't10k')."""
    return (_idx(osp.join(FMNIST, f'{split}-images-idx3-ubyte.gz'), count,
                 16),
            _idx(osp.join(FMNIST, f'{split}-labels-idx1-ubyte.gz'), count, 8))


def write_fmnist_split(folder, images, labels):
    """mmpretrain ``FashionMNIST`` layout: raw idx files under both the
    train-* and t10k-* names."""
    os.makedirs(folder, exist_ok=True)
    n = len(images)
    img = struct.pack('>4I', 0x803, n, 28, 28) + images.tobytes()
    lab = struct.pack('>2I', 0x801, n) + labels.astype(np.uint8).tobytes()
    for prefix in ('train', 't10k'):
        with open(osp.join(folder, f'{prefix}-images-idx3-ubyte'), 'wb') as f:
            f.write(img)
        with open(osp.join(folder, f'{prefix}-labels-idx1-ubyte'), 'wb') as f:
            f.write(lab)


TOOL_MODULES = {  # tools/ script -> its command-line module
    'deployment/export_onnx.py': 'mmlgd.cli.export_onnx',
    'infer.py': 'mmlgd.cli.infer',
}


def load_tool(relpath):
    """The command-line module behind a ``tools/`` script (its ``main``
    exits as the tool does)."""
    import importlib
    return importlib.import_module(TOOL_MODULES[relpath])


def run_tool(relpath, argv):
    """A ``tools/`` script's library result for the command line
    ``argv`` (its module's ``run`` on the parsed arguments)."""
    tool = load_tool(relpath)
    return tool.run(tool.build_parser().parse_args(argv))


need_fmnist = pytest.mark.skipif(
    not osp.isfile(osp.join(FMNIST, 't10k-images-idx3-ubyte.gz')),
    reason=f'Debian dataset-fashion-mnist not installed in {FMNIST} '
    '(apt-get install dataset-fashion-mnist)')
