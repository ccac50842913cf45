"""Tiny LGD runs for the reliability and config tests: random PNG folders,
config overrides that swap the paper's CLIP RN50 / ImageNet setup for the
tiny open_clip model of ``tests/_tiny_clip.py``, and a recording hook."""
import os
import os.path as osp
import textwrap

import numpy as np
from _tiny_clip import (  # noqa: F401  re-exported (pyproject pythonpath)
    TINY_CLIP,
    tiny_teacher,
    tiny_text_encoder,
    write_tiny_clip,
)
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SIZE = 32
# A short class list: the tiny teacher's pseudo-labels spread over few rows.
CLASSES = ['cat', 'dog', 'car', 'tree', 'boat', 'bird', 'cup', 'shoe']
TEMPLATES = ['a photo of a {}.', 'a {}.']


def write_images(root, num, size=40, seed=0, sub=''):
    """Write ``num`` random RGB PNGs (size x size) under ``root/sub``;
    return the file paths (sorted)."""
    import mmcv
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(num):
        path = osp.join(root, sub, f'img_{i:03d}.png')
        mmcv.imwrite(rng.integers(0, 256, (size, size, 3), dtype=np.uint8),
                     path)
        paths.append(path)
    return sorted(paths)


def walk(node, fn):
    """Apply ``fn`` to every dict in a nested dict/list config tree."""
    if isinstance(node, dict):
        fn(node)
        for v in node.values():
            walk(v, fn)
    elif isinstance(node, (list, tuple)):
        for v in node:
            walk(v, fn)


def _to_cpu_friendly(d):
    if d.get('type') == 'SyncBN':
        d['type'] = 'BN'
    if d.get('type') == 'RandomResizedCrop':
        d['scale'] = SIZE


def train_dataloader(data_root, pipeline, batch_size=2, sampler=None):
    """An unlabeled image-folder loader (mmpretrain ``CustomDataset``)."""
    return dict(
        batch_size=batch_size, num_workers=0, persistent_workers=False,
        pin_memory=False, drop_last=True,
        sampler=sampler or dict(type='DefaultSampler', shuffle=True, seed=0),
        collate_fn=dict(type='default_collate'),
        dataset=dict(type='CustomDataset', data_root=data_root,
                     with_label=False, pipeline=pipeline,
                     serialize_data=False))  # skips a slow gc.collect()


def shrink_lgd_cfg(cfg, tiny_clip, data_root, cache_dir, work_dir, name):
    """Turn a paper LGD config into a 2-iteration CPU run, in place.

    The class set stays the config's; the teacher and the TSB encoder become
    the tiny open_clip model, the data a folder of random 32 px PNGs with the
    config's own pipeline (crops at 32 px), batch 2, one epoch.
    """
    walk(cfg.model, _to_cpu_friendly)
    pipeline = cfg.train_dataloader.dataset.pipeline
    walk(pipeline, _to_cpu_friendly)
    cfg.model.target_generator = tiny_teacher(tiny_clip)
    cfg.model.tsb.encoder = tiny_text_encoder(tiny_clip)
    cfg.model.tsb.update(templates=TEMPLATES[:1], cache_dir=cache_dir,
                         use_tqdm=False)
    cfg.train_dataloader = train_dataloader(data_root, pipeline)
    cfg.optim_wrapper.type = 'OptimWrapper'
    cfg.optim_wrapper.pop('loss_scale', None)
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.work_dir = work_dir
    cfg.experiment_name = name
    cfg.log_level = 'WARNING'
    cfg.launcher = 'none'
    return cfg


@HOOKS.register_module(force=True)
class LGDRecorderHook(Hook):
    """Keeps, per training iteration: every output as a float (``loss``,
    ``loss_tex``, ``loss_vis``...), the lr, the dataset indices of the batch,
    and the teacher embeddings / pseudo-labels of the LGKA update; plus the
    VSB before training."""

    priority = 'VERY_HIGH'

    def __init__(self):
        self.outputs, self.lrs, self.indices = [], [], []
        self.z_t, self.labels = [], []
        self.vsb_before = self.init_before = None

    def before_train(self, runner):
        neck = _unwrap(runner.model).neck
        self.vsb_before = neck.vsb.clone()
        self.init_before = neck.vsb_initialized.clone()
        update = neck.update_vsb

        def recording_update(z_t, tsb):
            labels = update(z_t, tsb)
            self.z_t.append(z_t.detach().clone())
            self.labels.append(labels.clone())
            return labels

        neck.update_vsb = recording_update

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.lrs.append(runner.optim_wrapper.get_lr()['lr'][0])
        self.indices.append(
            [s.sample_idx for s in data_batch['data_samples']])

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.outputs.append({k: float(v.detach()) if hasattr(v, 'detach')
                             else float(v) for k, v in outputs.items()})

    @staticmethod
    def find(runner):
        return next(h for h in runner.hooks
                    if type(h).__name__ == 'LGDRecorderHook')


def _unwrap(model):
    """The model inside a DDP wrapper (or the model itself)."""
    return model.module if hasattr(model, 'module') else model


def state(model):
    """Detached copies of the student, neck and teacher state."""
    model = _unwrap(model)
    copy = {}
    for part in ('backbone', 'neck', 'target_generator'):
        for k, v in getattr(model, part).state_dict().items():
            copy[f'{part}.{k}'] = v.detach().clone()
    return copy


RUNTIME = osp.join(REPO, 'configs', '_base_', 'default_runtime.py')
LGD_CONFIG = '''
_base_ = {runtime!r}
default_scope = 'mmpretrain'
model = dict(
    type='LGD',
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[122.770938, 116.7460125, 104.09373615],
        std=[68.5005327, 66.6321579, 70.32316305], to_rgb=True),
    backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8),
    neck=dict(type='LGKANeck', in_channels=64, momentum=0.9),
    head=dict(type='LGDHead'),
    target_generator={teacher!r},
    tsb=dict(type='TextualSemanticsBank', encoder={encoder!r},
             classes={classes!r}, templates={templates!r},
             cache_dir={cache_dir!r}))
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.05, momentum=0.9,
                                    weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2),
    dict(type='CosineAnnealingLR', T_max=4, by_epoch=False, begin=2, end=6),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=6)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=1),
    checkpoint=dict(type='CheckpointHook', interval=3, by_epoch=False,
                    max_keep_ckpts=-1))
log_processor = dict(window_size=1, by_epoch=False)
randomness = dict(seed=0, deterministic=True)
log_level = 'INFO'
'''


def view_pipeline():
    """The paper's MoCo v2 view at 32 px (no blur/grayscale: fewer ops)."""
    return [
        dict(type='StrictLoadImageFromFile'),
        dict(type='MultiView', num_views=1, transforms=[[
            dict(type='RandomResizedCrop', scale=SIZE,
                 crop_ratio_range=(0.2, 1.), backend='pillow'),
            dict(type='RandomApply', prob=0.8, transforms=[dict(
                type='ColorJitter', brightness=0.4, contrast=0.4,
                saturation=0.4, hue=0.1)]),
            dict(type='RandomFlip', prob=0.5)]]),
        dict(type='PackInputs'),
    ]


def fixed_pipeline():
    """A view without random augmentation (resize to 32 px)."""
    return [dict(type='StrictLoadImageFromFile'),
            dict(type='MultiView', num_views=1, transforms=[[
                dict(type='Resize', scale=(SIZE, SIZE))]]),
            dict(type='PackInputs')]


def write_lgd_config(path, tiny_clip, data_root, cache_dir, classes=None,
                     batch_size=2, sampler=None, extra_hooks=(),
                     pipeline=None, **overrides):
    """Write a tiny LGD config and return its path: the project's runtime
    (``configs/_base_/default_runtime.py``, its custom hooks kept, then
    ``extra_hooks``), a ResNet-18 student of width 8 (64 output channels),
    the tiny open_clip teacher and text encoder, an unlabeled PNG folder,
    SGD with warm-up + cosine, 6 iterations, a checkpoint every 3.
    ``pipeline`` defaults to :func:`view_pipeline`.
    ``overrides`` replace top-level keys (``train_cfg=dict(...)``)."""
    from mmengine.config import Config
    hooks = Config.fromfile(RUNTIME).to_dict()['custom_hooks'] + list(
        extra_hooks)
    text = LGD_CONFIG.format(
        runtime=RUNTIME, teacher=tiny_teacher(tiny_clip),
        encoder=tiny_text_encoder(tiny_clip),
        classes=list(classes or CLASSES), templates=TEMPLATES,
        cache_dir=cache_dir)
    overrides.update(
        custom_hooks=hooks,
        train_dataloader=train_dataloader(
            data_root, pipeline or view_pipeline(), batch_size, sampler))
    text += ''.join(f'{k} = {v!r}\n' for k, v in overrides.items())
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(textwrap.dedent(text))
    return path
