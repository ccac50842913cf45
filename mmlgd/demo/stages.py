"""Running the demo's stages through the OpenMMLab tools (in-process calls of
the ``main`` behind ``tools/train.py`` / ``tools/test.py``,
:mod:`mmlgd.apis`), with resumable results:
``<work_dir>/results/<stage>.json``."""
import gc
import json
import os
import os.path as osp
import pickle
import time

from mmlgd.apis import test as test_api
from mmlgd.apis import train as train_api
from mmlgd.utils.fileio import atomic_write_json
from mmlgd.utils.hashing import file_sha256

from .options import cfg_opts as _opts
from .options import scheduler_opts as _scheduler_opts


class Context:
    """Where results live and which stages to redo."""

    def __init__(self, work_dir, settings, redo=()):
        self.work_dir = work_dir
        self.settings = settings
        self.redo = set(redo)
        os.makedirs(osp.join(work_dir, 'results'), exist_ok=True)

    def result_path(self, name):
        return osp.join(self.work_dir, 'results', f'{name}.json')

    def result(self, name):
        with open(self.result_path(name)) as f:
            return json.load(f)

    def checkpoint(self, stage_name):
        """The last checkpoint a training stage wrote."""
        return self.result(stage_name)['checkpoint']


def _fingerprint(ctx, stage):
    """The stage's params plus a digest of each upstream result it uses,
    so re-running an upstream stage re-runs this one."""
    params = json.loads(json.dumps(stage.params))  # a copy
    for key in ('teacher', 'student', 'cache'):
        dep = params.get(key)
        if isinstance(dep, str) and osp.isfile(ctx.result_path(dep)):
            params[f'{key}_result'] = file_sha256(
                ctx.result_path(dep), memo=False)[:16]
    return params


def run_stage(ctx, stage, i, n, force=False):
    path = ctx.result_path(stage.name)
    params = _fingerprint(ctx, stage)
    if osp.isfile(path) and not force and not (
            {stage.name, 'all'} & ctx.redo):
        if ctx.result(stage.name).get('params') == params:
            print(f'[demo] [{i}/{n}] {stage.name}: done before, skipped',
                  flush=True)
            return
    print(f'[demo] [{i}/{n}] {stage.name} ({stage.kind}) ...', flush=True)
    start = time.time()
    out = RUNNERS[stage.kind](ctx, stage)
    gc.collect()
    out.update(params=params, wall_s=round(time.time() - start, 1))
    atomic_write_json(path, out)
    shown = {k: v for k, v in out.get('metrics', {}).items()
             if isinstance(v, (int, float))}
    print(f'[demo] [{i}/{n}] {stage.name}: {shown} '
          f'({out["wall_s"]:.0f} s)', flush=True)


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


def _fmnist_opts(ctx, dataloader, images):
    return _opts(**{f'{dataloader}.dataset.indices': images}) \
        if images else []


def _teacher_opts(ctx, key='model.target_generator.checkpoint'):
    return _opts(**{key: ctx.checkpoint('teacher')})


def _cache_opts(ctx, p):
    """Options that point the cached-LGD config at the demo's cache and
    teacher (the teacher's weights are hashed for the key check, never
    loaded), and restrict its wrapped dataset like the online run's."""
    cache_dir = ctx.result(p['cache'])['cache_dir']
    opts = _opts(**{'model.target_generator.cache_dir': cache_dir,
                    'train_dataloader.dataset.cache_dir': cache_dir,
                    'train_dataloader.dataset.num_views': p['views']})
    return opts + _teacher_opts(
        ctx, 'model.target_generator.teacher.checkpoint')


def _cache(ctx, stage):
    """Build the teacher-embedding cache (``tools/cache_teacher.py``) for
    the LGD config, with the demo's teacher."""
    from mmlgd.apis import teacher_cache
    p = stage.params
    out = osp.join(ctx.work_dir, f'teacher_cache_{p["views"]}v')
    opts = _teacher_opts(ctx) + _fmnist_opts(ctx, 'train_dataloader',
                                             p['images'])
    manifest = teacher_cache.main([
        p['config'], '--views', str(p['views']), '--out', out,
        '--seed', str(p['seed']), '--workers', '0', '--force',
        '--cfg-options', *opts])
    return dict(metrics={}, cache_dir=out, bytes=manifest['bytes'])


def _train(ctx, stage):
    p = stage.params
    wd = osp.join(ctx.work_dir, stage.name)
    opts = _opts(**{'experiment_name': stage.name,
                    'randomness.seed': p['seed'],
                    'train_cfg.max_epochs': p['epochs'],
                    'default_hooks.logger.interval':
                    ctx.settings['log_interval']})
    # the cached config wraps the dataset: restrict the wrapped one
    opts += _fmnist_opts(ctx, 'train_dataloader.dataset' if p.get('cache')
                         else 'train_dataloader', p['images'])
    epochs = p['epochs']
    sched = _scheduler_opts(p['config'], CosineAnnealingLR=dict(end=epochs))
    sched += [f'default_hooks.checkpoint.interval={epochs}']
    if p.get('cache'):
        opts += _cache_opts(ctx, p)
    elif p.get('teacher'):
        opts += _teacher_opts(ctx)
    else:
        opts += [f'train_cfg.val_interval={epochs}']
        opts += _fmnist_opts(ctx, 'val_dataloader', ctx.settings[
            'test_images'])
    train_api.main([p['config'], '--work-dir', wd,
                              '--cfg-options', *opts, *sched])
    ckpt = osp.join(wd, f'epoch_{epochs}.pth')
    return dict(metrics={}, checkpoint=ckpt, work_dir=wd)


def _test(ctx, config, checkpoint, wd, opts, out_pkl=None):
    argv = [config, checkpoint or 'none', '--work-dir', wd]
    if out_pkl:
        argv += ['--out', out_pkl]
    argv += ['--cfg-options', *opts]
    metrics = test_api.main(argv)
    return {k: float(v) for k, v in metrics.items()}


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
    opts = _opts(experiment_name=stage.name)
    opts += _fmnist_opts(ctx, 'test_dataloader', p['images'])
    ckpt = None
    if p.get('teacher'):
        opts += _opts(**{'model.image_encoder.checkpoint':
                         ctx.checkpoint('teacher')})
    elif p['student']:
        ckpt = ctx.checkpoint(p['student'])
        if p.get('neck'):
            opts += _opts(**{'model.neck.type': p['neck']})
    else:  # random-init student: seeded weights
        opts += _opts(**{'randomness.seed': p['seed']})
    pkl = osp.join(wd, 'predictions.pkl')
    metrics = _test(ctx, p['config'], ckpt, wd, opts, pkl)
    return dict(metrics=metrics, per_class=_per_class(pkl),
                checkpoint=ckpt)


def _backbone_init(ctx, student):
    """(checkpoint or None, the cfg option that initialises the backbone
    from that student, or leaves it random)."""
    ckpt = ctx.checkpoint(student) if student else None
    return ckpt, (f'model.backbone.init_cfg.checkpoint={ckpt}' if ckpt else
                  'model.backbone.init_cfg=None')


def _probe(ctx, stage):
    p = stage.params
    wd = osp.join(ctx.work_dir, stage.name)
    ckpt, init = _backbone_init(ctx, p['student'])
    epochs = p['epochs']
    opts = _opts(**{'experiment_name': stage.name,
                    'randomness.seed': p['seed'],
                    'train_cfg.max_epochs': epochs,
                    'train_cfg.val_interval': epochs + 1,
                    'default_hooks.checkpoint.interval': epochs})
    opts += _scheduler_opts(p['config'], CosineAnnealingLR=dict(end=epochs))
    train_api.main([p['config'], '--work-dir', wd, '--no-validate',
                              '--cfg-options', init, *opts])
    test_opts = _opts(experiment_name=stage.name + '_test')
    test_opts += _fmnist_opts(ctx, 'test_dataloader', p['images'])
    metrics = _test(ctx, p['config'], osp.join(wd, f'epoch_{epochs}.pth'),
                    wd, test_opts + ['model.backbone.init_cfg=None'])
    return dict(metrics=metrics, checkpoint=ckpt)


def _transfer(ctx, stage):
    p = stage.params
    wd = osp.join(ctx.work_dir, stage.name)
    ckpt, init = _backbone_init(ctx, p['student'])
    root = p['scenes'].rstrip('/') + '/'
    data = {f'{dl}.dataset.data_root': root
            for dl in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')}
    if stage.kind == 'det':
        for ev in ('val_evaluator', 'test_evaluator'):
            data[f'{ev}.ann_file'] = root + 'annotations/instances_val.json'
    iters = p['iters']
    opts = _opts(**{'experiment_name': stage.name,
                    'randomness.seed': p['seed'],
                    'train_cfg.max_iters': iters,
                    'default_hooks.checkpoint.interval': iters,
                    # the regime's training scenes: the first ones of the
                    # seeded scene set (mmengine BaseDataset ``indices``)
                    'train_dataloader.dataset.indices': p['train_scenes']},
                 **data)
    if p['backbone'] == 'frozen':  # stem + 4 stages, BN in eval mode
        opts += ['model.backbone.frozen_stages=4',
                 'model.backbone.norm_eval=True']
    opts += _scheduler_opts(p['config'],
                            LinearLR=dict(end=max(1, iters // 10)),
                            CosineAnnealingLR=dict(end=iters))
    train_api.main([p['config'], '--work-dir', wd, '--no-validate',
                              '--cfg-options', init, *opts])
    metrics = _test(ctx, p['config'], osp.join(wd, f'iter_{iters}.pth'), wd,
                    _opts(experiment_name=stage.name + '_test', **data) +
                    ['model.backbone.init_cfg=None'])
    return dict(metrics=metrics, checkpoint=ckpt)


def _report(ctx, stage):
    from .report import write_report
    return write_report(ctx)


RUNNERS = dict(data=_data, scenes=_scenes, train=_train, cache=_cache,
               zero_shot=_zero_shot, probe=_probe, det=_transfer,
               seg=_transfer, report=_report)
