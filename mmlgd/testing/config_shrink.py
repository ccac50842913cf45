"""Shrink a shipped config into a run of a few iterations on tiny inputs,
keeping its own model, neck, head, loss, wrapper and schedule settings.

What changes (and nothing else):

* data: every dataloader's dataset gets tiny generated data in its own
  format (:mod:`mmlgd.testing.tiny_data`) sized for exactly ``iters``
  iterations of ``batch_size`` per process on ``world_size`` processes;
  spatial sizes above 128 px in pipelines, ``data_preprocessor.size`` and
  evaluator files shrink by 8 (224 -> 28, 512 -> 64, 1333x800 -> 166x100);
  loaders use no worker processes;
* weights that come from elsewhere: the CLIP teacher and the TSB text tower
  become the tiny open_clip model (:mod:`mmlgd.testing.tiny_clip`), TSBs use
  one template and a shared cache; a text-aligned teacher gets a
  checkpoint of its own (shrunk) config; every ``Pretrained`` init_cfg and
  ``load_from`` file (LGD students, torchvision / mmpretrain URLs) becomes
  a local file of random weights of the same architecture, key layout and
  prefix, so the config's own prefix and the loud load check are exercised;
* device: ``device='cpu'`` turns SyncBN into BN (it needs CUDA) and
  ``amp`` picks ``AmpOptimWrapper`` or ``OptimWrapper`` (AMP needs an
  accelerator); optimiser, paramwise settings and clipping are kept;
* run length: epoch loops run one epoch of ``iters`` iterations, iteration
  loops ``iters`` iterations; validation (at the end) only with
  ``validate=True``; no checkpoints.

Used by ``tests/test_testing/test_launch_configs.py`` (2 CPU processes,
gloo) and meant for the 1-process GPU check (``device='cuda', amp=True``).
"""
import copy
import os
import os.path as osp
from typing import Callable, Optional, Tuple

from mmengine.config import Config

from .prebuild import prebuild_neighbours, prebuild_teacher_cache
from .tiny_clip import tiny_teacher, tiny_text_encoder
from .tiny_data import materialise
from .tiny_weights import (
    fabricate_model_checkpoint,
    fabricate_weights,
    text_aligned_teacher,
)

__all__ = [
    'fabricate_model_checkpoint', 'shrink_config', 'shrink_size', 'walk'
]

FACTOR = 8
LIMIT = 128
SIZE_KEYS = ('scale', 'crop_size', 'size', 'img_scale')
SIZES = dict(mmpretrain=40, mmdet=64, mmseg=(64, 64))
# Images per process. A student's last stage is 1x1 at 28 px, so its BN
# normalises over the batch alone: with 2 images a MobileNetV2 student's
# parameters overflow to NaN within 2 steps; 4 keep them finite. UperNet's
# pooling module (1x1 maps) needs 2; Mask R-CNN trains on 1.
BATCH = dict(mmpretrain=4, mmdet=1, mmseg=2)


def walk(node, fn: Callable[[dict], None]) -> None:
    """Apply ``fn`` to every dict of a nested dict/list config tree."""
    if isinstance(node, dict):
        fn(node)
        for v in list(node.values()):
            walk(v, fn)
    elif isinstance(node, (list, tuple)):
        for v in node:
            walk(v, fn)


def shrink_size(value):
    """A spatial size (int or tuple/list of ints, possibly nested) with
    every side above 128 divided by 8; smaller ones kept."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return int(value // FACTOR) if value > LIMIT else value
    if isinstance(value, (list, tuple)):
        return type(value)(shrink_size(v) for v in value)
    return value


def _shrink_transform(d: dict) -> None:
    if 'type' not in d:
        return
    for key in SIZE_KEYS + ('scales', ):
        if key in d and d['type'] != 'MultiView':
            d[key] = shrink_size(d[key])


def _device_model(d: dict, device: str) -> None:
    if device == 'cpu' and d.get('type') in ('SyncBN', 'MMSyncBN'):
        d['type'] = 'BN'


class _Shrinker:

    def __init__(self, cfg: Config, root: str, tiny_clip: Tuple[str, str,
                                                                 str],
                 device: str, amp: bool, world_size: int, batch_size: int,
                 iters: int, tsb_cache: str, eval_images: int,
                 validate: bool):
        self.cfg, self.root, self.tiny_clip = cfg, root, tiny_clip
        self.device, self.amp = device, amp
        self.world_size, self.iters = world_size, iters
        self.tsb_cache, self.eval_images = tsb_cache, eval_images
        self.scope = cfg.get('default_scope', None) or 'mmpretrain'
        self.batch_size = batch_size or BATCH[self.scope]
        self.validate = validate

    # -- weights -----------------------------------------------------
    def _pretrained(self, d: dict) -> None:
        init = d.get('init_cfg')
        if isinstance(init, dict) and init.get('type') == 'Pretrained':
            name = f'{d.get("type", "module")}_{len(self._made)}'
            arch = copy.deepcopy(dict(d))
            walk(arch, lambda m: _device_model(m, 'cpu'))
            init['checkpoint'] = fabricate_weights(
                arch, init.get('prefix'), self.scope,
                osp.join(self.root, 'weights',
                         name.replace('.', '-') + '.pth'))
            self._made.append(init['checkpoint'])

    # -- teachers and text towers ----------------------------------------
    def _tsb(self, d: dict) -> None:
        if d.get('type') != 'TextualSemanticsBank':
            return
        from mmlgd.models.text.category_sets import CATEGORY_SETS
        classes = d.get('classes')
        if isinstance(classes, str) and classes not in CATEGORY_SETS:
            d['classes'] = self._names_file()  # the user's names file
        templates = d.get('templates', 'openai')
        d['encoder'] = tiny_text_encoder(self.tiny_clip)
        d['templates'] = ['a photo of a {}.'] if isinstance(
            templates, str) else list(templates)[:1]
        d.update(cache_dir=self.tsb_cache, use_tqdm=False)

    def _names_file(self) -> str:
        """A names file (one category a line) matching the two labelled
        class folders the tiny data of a folder dataset holds."""
        path = osp.join(self.root, 'names.txt')
        os.makedirs(self.root, exist_ok=True)
        with open(path, 'w') as f:
            f.write('cat\ndog\n')
        return path

    def _teacher(self, d: dict) -> None:
        kind = d.get('type')
        if kind == 'OpenCLIPVisionTeacher':
            keep = {k: d[k] for k in ('channels_last', 'data_mean',
                                      'data_std') if k in d}
            d.clear()
            d.update(tiny_teacher(self.tiny_clip, **keep))
        elif kind == 'TextAlignedTeacher':
            d['config'], d['checkpoint'] = text_aligned_teacher(
                d['config'], lambda m: walk(m, self._tsb),
                osp.join(self.root, 'weights', 'text_aligned_teacher.pth'))

    # -- data ------------------------------------------------------------
    def _shrink_once(self, d: dict) -> None:
        """Shrink a transform once, also when two loaders share it."""
        if id(d) not in self._seen:
            self._seen.add(id(d))
            _shrink_transform(d)

    def loader(self, key: str, num: int) -> None:
        loader = self.cfg.get(key)
        if not loader:
            return
        size = SIZES[self.scope]
        if self.scope == 'mmseg':
            crop = self.cfg.model.get('data_preprocessor', {}).get('size')
            size = tuple(shrink_size(crop)) if crop else size
        walk(loader.dataset, self._shrink_once)
        dataset = materialise(loader.dataset.to_dict() if hasattr(
            loader.dataset, 'to_dict') else loader.dataset,
            osp.join(self.root, key), num, size, self.scope)
        loader.dataset = dataset
        loader.update(batch_size=self.batch_size, num_workers=0,
                      persistent_workers=False, pin_memory=False)
        if key == 'train_dataloader' and not loader.get('batch_sampler'):
            loader.drop_last = True  # (a batch sampler drops by itself)
        evaluator = self.cfg.get(key.replace('dataloader', 'evaluator'))
        walk(evaluator, lambda d: self._ann_file(d, dataset))

    @staticmethod
    def _ann_file(d: dict, dataset: dict) -> None:
        inner = dataset
        while 'dataset' in inner:
            inner = inner['dataset']
        if 'ann_file' in d and inner.get('ann_file'):
            d['ann_file'] = osp.join(inner['data_root'], inner['ann_file'])

    # -- the whole config --------------------------------------------------
    def run(self, work_dir: str, name: str) -> Config:
        cfg, self._made, self._seen = self.cfg, [], set()
        walk(cfg.model, lambda d: _device_model(d, self.device))
        walk(cfg.model, self._tsb)
        walk(cfg.model, self._teacher)
        walk(cfg.model, self._pretrained)
        walk(cfg.model.get('data_preprocessor'), self._shrink_once)
        per_epoch = self.world_size * self.batch_size * self.iters
        self.loader('train_dataloader', per_epoch)
        if cfg.get('train_cfg') and not self.validate:  # --no-validate
            cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
        for key in ('val_dataloader', 'test_dataloader'):
            self.loader(key, self.eval_images)
        prebuild_teacher_cache(cfg, self.root, self.device)
        walk(cfg.get('knn_pipeline'), self._shrink_once)  # BINGO's clean view
        prebuild_neighbours(cfg, self.root, self.world_size *
                            self.batch_size * self.iters - 1)
        self._loops()
        self._optim()
        cfg.default_hooks = cfg.get('default_hooks', None) or {}
        cfg.default_hooks.checkpoint = None
        cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
        cfg.update(work_dir=work_dir, experiment_name=name,
                   log_level='WARNING')
        if self.device == 'cpu':  # a hung collective fails, not waits
            env = cfg.get('env_cfg', None) or {}
            env.setdefault('dist_cfg', {}).setdefault('timeout', 300)
            cfg.env_cfg = env
        return cfg

    def _loops(self) -> None:
        train = self.cfg.get('train_cfg')
        if not train:
            return
        by_epoch = train.get('by_epoch', None)
        if 'max_epochs' in train or by_epoch:
            train.update(max_epochs=1, val_interval=1)
        else:
            train.update(max_iters=self.iters, val_interval=self.iters)

    def _optim(self) -> None:
        optim = self.cfg.get('optim_wrapper')
        if not optim:
            return
        kind = optim.get('type', 'OptimWrapper')
        if kind not in ('OptimWrapper', 'AmpOptimWrapper'):
            return  # a custom wrapper is the config's own setting
        if self.amp:
            optim.type = 'AmpOptimWrapper'
            optim.setdefault('loss_scale', 'dynamic')
        else:
            optim.type = 'OptimWrapper'
            for key in ('loss_scale', 'dtype'):
                optim.pop(key, None)


def shrink_config(cfg: Config, root: str, tiny_clip: Tuple[str, str, str],
                  work_dir: str, name: str, device: str = 'cpu',
                  amp: bool = False, world_size: int = 2,
                  batch_size: Optional[int] = None, iters: int = 2,
                  tsb_cache: Optional[str] = None, eval_images: int = 4,
                  validate: bool = False) -> Config:
    """Shrink ``cfg`` in place (see the module docstring) and return it.

    Args:
        cfg (Config): a loaded shipped config.
        root (str): folder for its tiny data and fabricated weights.
        tiny_clip (tuple): ``(name, config_json, weights)`` of
            :func:`mmlgd.testing.tiny_clip.write_tiny_clip`.
        work_dir (str): the run's work dir.
        name (str): its ``experiment_name`` (unique per process).
        device (str): ``'cpu'`` (SyncBN -> BN, gloo timeout) or ``'cuda'``.
        amp (bool): ``AmpOptimWrapper`` (True) or ``OptimWrapper``.
        world_size (int): processes the run is launched on.
        batch_size (int, optional): images per process and iteration
            (default by scope, see ``BATCH``: mmpretrain 4, mmseg 2,
            mmdet 1).
        iters (int): training iterations.
        tsb_cache (str, optional): TSB cache folder shared between configs
            (default ``root/tsb_cache``).
        eval_images (int): images in each val/test set.
        validate (bool): keep a training config's validation (run after
            the last iteration); False drops it as ``--no-validate`` does.

    Returns:
        Config: ``cfg``.

    Raises:
        NotImplementedError: a dataset type without a tiny-data generator.
    """
    tsb_cache = tsb_cache or osp.join(root, 'tsb_cache')
    return _Shrinker(cfg, root, tiny_clip, device, amp, world_size,
                     batch_size, iters, tsb_cache, eval_images,
                     validate).run(work_dir, name)

