"""What each kind of demo stage runs, through the OpenMMLab Runner: the
stage's config parsed once (:func:`mmlgd.apis.load_config`, settings merged
as dicts, copies for training and testing), run with
:func:`mmlgd.apis.train.train` / :func:`mmlgd.apis.test.run_test` and timed
by a :class:`.profile.ProfileHook`.
Results, resume and the incomplete mark: :mod:`.results`."""
import argparse
import copy
import json
import os
import os.path as osp
import pickle

from mmlgd.apis import load_config
from mmlgd.apis import train as train_api
from mmlgd.apis.test import run_test
from mmlgd.utils.configs import config_path

from .options import find_shipped, set_schedule
from .profile import ProfileHook
from .results import Context  # noqa: F401  (re-export)


# ------------------------------------------------------------ the Runner
def _load(config, opts, work_dir):
    """The stage's config, parsed once, with ``opts`` (dotted key ->
    value) merged, and the shipped configs it names found from the package
    (:func:`.options.find_shipped`)."""
    cfg = load_config(config_path(config), opts, work_dir)
    find_shipped(cfg.model)
    return cfg


def _fit(ctx, cfg):
    """Train ``cfg`` as ``tools/train.py`` does, timed by a
    :class:`.profile.ProfileHook` (validation as the config says;
    :func:`_no_validate` switches it off)."""
    train_api.train(cfg, hooks=[ProfileHook(ctx.clock)])


def _no_validate(cfg):
    """``cfg`` as ``tools/train.py --no-validate`` leaves it."""
    return train_api.merge_args(cfg, argparse.Namespace(
        amp=False, resume=None, no_validate=True, auto_scale_lr=False))


def _evaluate(ctx, cfg, checkpoint, out_pkl=None):
    """Test ``cfg`` with ``checkpoint`` (None: no checkpoint) as
    ``tools/test.py`` does; returns the metrics as floats.

    Raises:
        FileNotFoundError: the checkpoint does not exist.
    """
    if checkpoint and not osp.isfile(checkpoint):
        raise FileNotFoundError(2, 'No such checkpoint', checkpoint)
    metrics = run_test(cfg, checkpoint or None, out_pkl,
                       hooks=[ProfileHook(ctx.clock)])
    return {k: float(v) for k, v in metrics.items()}


# ---------------------------------------------------------------- stages
def _data(ctx, stage):
    from mmlgd.datasets.fashion_mnist.splits import DEBIAN_DIR, prepare
    p = stage.params
    summary = prepare(src=p['src'] or DEBIAN_DIR, out=p['out'])
    return dict(metrics={}, summary=json.loads(json.dumps(summary,
                                                          default=str)))


def _scenes(ctx, stage):
    from mmlgd.datasets.fashion_mnist.scenes import make_scenes
    p = stage.params
    summary = make_scenes(ctx.settings['fmnist_out'], p['out'],
                          n_train=p['n_train'], n_val=p['n_val'])
    return dict(metrics={}, summary=json.loads(json.dumps(summary,
                                                          default=str)))


def _fmnist_opts(dataloader, images):
    """Restrict a Fashion-MNIST dataloader to its first ``images`` (all
    when None)."""
    return {f'{dataloader}.dataset.indices': images} if images else {}


def _teacher_opts(ctx, key='model.target_generator.checkpoint'):
    return {key: ctx.checkpoint('teacher')}


def _cache_opts(ctx, p):
    """Options that point the cached-LGD config at the demo's cache and
    teacher (the teacher's weights are hashed for the key check, never
    loaded), and restrict its wrapped dataset like the online run's."""
    cache_dir = ctx.result(p['cache'])['cache_dir']
    return {'model.target_generator.cache_dir': cache_dir,
            'train_dataloader.dataset.cache_dir': cache_dir,
            'train_dataloader.dataset.num_views': p['views'],
            **_teacher_opts(ctx, 'model.target_generator.teacher.checkpoint')}


def _cache(ctx, stage):
    """Build the teacher-embedding cache (what ``tools/cache_teacher.py``
    runs) for the LGD config, with the demo's teacher."""
    from mmlgd.apis import teacher_cache
    p = stage.params
    out = osp.join(ctx.work_dir, f'teacher_cache_{p["views"]}v')
    cfg = _load(p['config'], {**_teacher_opts(ctx), **_fmnist_opts(
        'train_dataloader', p['images'])}, None)
    manifest = teacher_cache.build_teacher_cache(
        cfg, out, p['views'], p['seed'], num_workers=0, force=True)
    return dict(metrics={}, cache_dir=out, bytes=manifest['bytes'])


def _neighbours(ctx, stage):
    """BINGO's bags (what ``tools/bingo_neighbours.py`` runs): the
    demo's teacher embeds a clean view of each pre-training image, each
    image's nearest ones form its bag."""
    from mmlgd.apis.bingo_neighbours import build_neighbours
    p = stage.params
    out = osp.join(ctx.work_dir, stage.name, 'neighbours.npz')
    cfg = _load(p['config'], {**_teacher_opts(ctx), **_fmnist_opts(
        'train_dataloader.dataset', p['images'])}, None)
    build_neighbours(cfg, out=out, force=True)
    return dict(metrics={}, neighbour_file=out)


def _train(ctx, stage):
    p = stage.params
    wd = osp.join(ctx.work_dir, stage.name)
    epochs = p['epochs']
    opts = {'experiment_name': stage.name,
            'randomness.seed': p['seed'],
            'train_cfg.max_epochs': epochs,
            'default_hooks.logger.interval': ctx.settings['log_interval'],
            'default_hooks.checkpoint.interval': epochs}
    # the cached and BINGO configs wrap the dataset: restrict the wrapped one
    wrapped = p.get('cache') or p.get('neighbours')
    opts.update(_fmnist_opts('train_dataloader.dataset' if wrapped
                             else 'train_dataloader', p['images']))
    if p.get('neighbours'):
        opts['train_dataloader.dataset.neighbour_file'] = ctx.result(
            p['neighbours'])['neighbour_file']
    if p.get('cache'):
        opts.update(_cache_opts(ctx, p))
    elif p.get('teacher'):
        opts.update(_teacher_opts(ctx))
    else:
        opts['train_cfg.val_interval'] = epochs
        opts.update(_fmnist_opts('val_dataloader',
                                 ctx.settings['test_images']))
    cfg = _load(p['config'], opts, wd)
    set_schedule(cfg, CosineAnnealingLR=dict(end=epochs))
    _fit(ctx, cfg)
    ckpt = osp.join(wd, f'epoch_{epochs}.pth')
    return dict(metrics={}, checkpoint=ckpt, work_dir=wd)


def _per_class(pkl, num_classes=10):
    """Top-1 accuracy of each class (= its recall, mmpretrain's
    ``SingleLabelMetric`` with ``average=None``) from the predictions
    ``tools/test.py --out`` dumped; fractions in [0, 1]."""
    from mmpretrain.evaluation import SingleLabelMetric
    with open(pkl, 'rb') as f:
        preds = pickle.load(f)
    pred = [int(p['pred_label'][0]) for p in preds]
    target = [int(p['gt_label'][0]) for p in preds]
    _, recall, _, _ = SingleLabelMetric.calculate(
        pred, target, average=None, num_classes=num_classes)
    return [float(r) / 100 for r in recall]


def _zero_shot(ctx, stage):
    p = stage.params
    wd = osp.join(ctx.work_dir, stage.name)
    os.makedirs(wd, exist_ok=True)
    opts = dict(experiment_name=stage.name,
                **_fmnist_opts('test_dataloader', p['images']))
    ckpt = None
    if p.get('teacher'):
        opts['model.image_encoder.checkpoint'] = ctx.checkpoint('teacher')
    elif p['student']:
        ckpt = ctx.checkpoint(p['student'])
        if p.get('neck'):
            opts['model.neck.type'] = p['neck']
    else:  # random-init student: seeded weights
        opts['randomness.seed'] = p['seed']
    pkl = osp.join(wd, 'predictions.pkl')
    metrics = _evaluate(ctx, _load(p['config'], opts, wd), ckpt, pkl)
    return dict(metrics=metrics, per_class=_per_class(pkl),
                checkpoint=ckpt)


def _backbone_init(ctx, student):
    """(checkpoint or None, the option that initialises the backbone from
    that student, or leaves it random)."""
    ckpt = ctx.checkpoint(student) if student else None
    return ckpt, ({'model.backbone.init_cfg.checkpoint': ckpt} if ckpt
                  else {'model.backbone.init_cfg': None})


def _train_then_test(ctx, stage, base, train_opts, test_opts, ckpt_name):
    """Train a copy of ``base`` without validation, then test another copy
    with the checkpoint ``ckpt_name`` it wrote (one config parse)."""
    cfg = copy.deepcopy(base)
    cfg.merge_from_dict(train_opts)
    _fit(ctx, _no_validate(cfg))
    cfg = copy.deepcopy(base)
    cfg.merge_from_dict({'experiment_name': stage.name + '_test',
                         'model.backbone.init_cfg': None, **test_opts})
    return _evaluate(ctx, cfg, osp.join(base.work_dir, ckpt_name))


def _probe(ctx, stage):
    p = stage.params
    ckpt, init = _backbone_init(ctx, p['student'])
    epochs = p['epochs']
    base = _load(p['config'], {}, osp.join(ctx.work_dir, stage.name))
    set_schedule(base, CosineAnnealingLR=dict(end=epochs))
    metrics = _train_then_test(ctx, stage, base, {
        **init, 'experiment_name': stage.name,
        'randomness.seed': p['seed'], 'train_cfg.max_epochs': epochs,
        'train_cfg.val_interval': epochs + 1,
        'default_hooks.checkpoint.interval': epochs},
        _fmnist_opts('test_dataloader', p['images']), f'epoch_{epochs}.pth')
    return dict(metrics=metrics, checkpoint=ckpt)


def _transfer(ctx, stage):
    p = stage.params
    ckpt, init = _backbone_init(ctx, p['student'])
    root = p['scenes'].rstrip('/') + '/'
    data = {f'{dl}.dataset.data_root': root
            for dl in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')}
    if stage.kind == 'det':
        for ev in ('val_evaluator', 'test_evaluator'):
            data[f'{ev}.ann_file'] = root + 'annotations/instances_val.json'
    iters = p['iters']
    base = _load(p['config'], data, osp.join(ctx.work_dir, stage.name))
    set_schedule(base, LinearLR=dict(end=max(1, iters // 10)),
                 CosineAnnealingLR=dict(end=iters))
    train = {**init, 'experiment_name': stage.name,
             'randomness.seed': p['seed'],
             'train_cfg.max_iters': iters,
             'default_hooks.checkpoint.interval': iters,
             # the regime's training scenes: the first ones of the seeded
             # scene set (mmengine BaseDataset ``indices``)
             'train_dataloader.dataset.indices': p['train_scenes']}
    if p['backbone'] == 'frozen':  # stem + 4 stages, BN in eval mode
        train.update({'model.backbone.frozen_stages': 4,
                      'model.backbone.norm_eval': True})
    metrics = _train_then_test(ctx, stage, base, train, {},
                               f'iter_{iters}.pth')
    return dict(metrics=metrics, checkpoint=ckpt)


def _report(ctx, stage):
    from .report import write_report
    return write_report(ctx)


RUNNERS = dict(data=_data, scenes=_scenes, train=_train, cache=_cache,
               neighbours=_neighbours, zero_shot=_zero_shot, probe=_probe,
               det=_transfer, seg=_transfer, report=_report)
