"""Run every shipped config as it is launched: families of configs, each
family shrunk (:mod:`mmlgd.testing.config_shrink`) and run in sequence
inside ONE multi-process launch (shared imports, tiny text tower and TSB
cache), through the library behind ``tools/train.py`` / ``tools/test.py``
with ``--launcher pytorch``, i.e. the code path of ``tools/dist_train.sh``:

    torchrun --nproc_per_node 2 -m mmlgd.testing.launch_check PLAN.json

:func:`write_plan` shrinks a family's configs and writes the plan (one
entry per config: shrunk config file, ``train`` or ``test``, checkpoint);
:func:`main` runs it and writes ``results_rank{r}.json`` next to the plan
after every config: ``ok``, the error (traceback tail) if any, wall
seconds, world size,
model wrapper, iterations, a float64 sum of the trainable parameters (equal
on all ranks when DDP kept them in sync) or the test metrics. A config that
fails does not stop the others.
"""
import fnmatch
import json
import os
import os.path as osp
import sys
import time
import traceback
from typing import List, Optional, Sequence

from mmengine.config import Config

__all__ = [
    'FAMILIES', 'REQUIRES', 'family_of', 'main', 'shipped_configs',
    'write_plan'
]

# (pattern relative to configs/, family); the first match wins. A shipped
# config that matches none is an error of the launch test.
FAMILIES = (
    ('*custom-folder*', 'folder'),     # LGD on the user's own image folders
    ('*cached*', 'pretrain'),          # teacher-cache configs
    ('mask_rcnn/*lvis*', 'lvis'),       # needs the `lvis` package
    ('mask_rcnn/*', 'transfer'),
    ('upernet/*', 'transfer'),
    ('fashion_mnist/mask-rcnn_*', 'transfer'),
    ('fashion_mnist/upernet_*', 'transfer'),
    ('benchmarks/zero-shot_*', 'eval'),
    ('benchmarks/linear-probe_*', 'eval'),
    ('fashion_mnist/linear-probe_*', 'eval'),
    ('fashion_mnist/zero-shot_*', 'eval'),
    ('lgd/*', 'pretrain'),
    ('seed/*', 'pretrain'),
    ('bingo/*', 'pretrain'),
    ('fashion_mnist/lgd*', 'pretrain'),
    ('fashion_mnist/seed*', 'pretrain'),
    ('fashion_mnist/bingo_*', 'pretrain'),
    ('fashion_mnist/tac_*', 'pretrain'),
)

# Packages a family needs beyond the install (mmdet reads LVIS through the
# `lvis` API: pip install lvis).
REQUIRES = dict(lvis=('lvis', ))


def shipped_configs(root: Optional[str] = None) -> List[str]:
    """Every config under ``configs/`` but ``_base_``, relative, sorted."""
    from mmlgd.utils.configs import configs_root
    root = root or configs_root()
    found = []
    for folder, _, files in os.walk(root, followlinks=True):
        rel = osp.relpath(folder, root)
        if rel.split(os.sep)[0] == '_base_':
            continue
        found += [osp.normpath(osp.join(rel, f)) for f in files
                  if f.endswith('.py')]
    return sorted(found)


def family_of(rel: str) -> Optional[str]:
    """The family of a config path relative to ``configs/`` (or None)."""
    for pattern, family in FAMILIES:
        if fnmatch.fnmatch(rel, pattern):
            return family
    return None


def _is_test_only(cfg: Config) -> bool:
    return not cfg.get('train_cfg') and bool(cfg.get('test_cfg') is not None)


def write_plan(family: str, out: str, tiny_clip, nproc: int = 2,
               configs: Optional[Sequence[str]] = None) -> str:
    """Shrink the configs of ``family`` for ``nproc`` CPU processes and
    write ``out/plan.json``; returns its path.

    Args:
        family (str): a family of :data:`FAMILIES`.
        out (str): folder for data, weights, shrunk configs and results.
        tiny_clip (tuple): ``(name, config_json, weights)``.
        nproc (int): processes of the launch.
        configs (Sequence[str], optional): relative config paths (default:
            all shipped configs of the family).
    """
    from mmlgd.utils.configs import config_path

    from .config_shrink import shrink_config
    from .tiny_weights import fabricate_model_checkpoint
    configs = configs or [c for c in shipped_configs()
                          if family_of(c) == family]
    plan = []
    for rel in configs:
        name = osp.splitext(osp.basename(rel))[0]
        cfg = Config.fromfile(config_path(rel))
        test_only = _is_test_only(cfg)
        shrink_config(cfg, osp.join(out, 'data', name), tiny_clip,
                      osp.join(out, 'work', name), f'launch_{name}',
                      world_size=nproc,
                      tsb_cache=osp.join(out, 'tsb_cache'))
        checkpoint = 'none'
        if test_only and cfg.model.get('backbone'):
            checkpoint = fabricate_model_checkpoint(
                cfg, osp.join(out, 'data', name, 'model.pth'))
        path = osp.join(out, 'configs', rel)
        os.makedirs(osp.dirname(path), exist_ok=True)
        cfg.dump(path)
        plan.append(dict(config=rel, file=path, checkpoint=checkpoint,
                         mode='test' if test_only else 'train'))
    plan_path = osp.join(out, 'plan.json')
    with open(plan_path, 'w') as f:
        json.dump(plan, f, indent=1)
    return plan_path


def _trainable_sum(model) -> float:
    model = getattr(model, 'module', model)
    total = 0.0
    for p in model.parameters():
        if p.requires_grad:
            total += float(p.detach().double().sum())
    return total


def _run(entry: dict) -> dict:
    from mmlgd.cli import test, train
    if entry['mode'] == 'train':
        runner = train.run([entry['file'], '--launcher', 'pytorch'])
        return dict(iter=runner.iter, world_size=runner.world_size,
                    wrapper=type(runner.model).__name__,
                    param_sum=_trainable_sum(runner.model))
    metrics = test.run([entry['file'], entry['checkpoint'], '--launcher',
                        'pytorch'])
    import torch.distributed as dist
    return dict(world_size=dist.get_world_size(),
                metrics={k: float(v) for k, v in metrics.items()})


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run a plan (``argv[0]``) in this process of the launch; returns the
    number of configs that failed on this rank."""
    argv = list(sys.argv[1:] if argv is None else argv)
    plan_path = argv[0]
    with open(plan_path) as f:
        plan = json.load(f)
    rank = int(os.environ.get('RANK', 0))
    out = osp.join(osp.dirname(plan_path), f'results_rank{rank}.json')
    results = {}
    for entry in plan:
        start = time.perf_counter()
        try:
            result = dict(ok=True, error=None, **_run(entry))
        except BaseException as err:  # noqa: B902 - recorded, not hidden
            if isinstance(err, KeyboardInterrupt):
                raise
            result = dict(ok=False, error=traceback.format_exc()[-3000:])
        result['seconds'] = round(time.perf_counter() - start, 1)
        results[entry['config']] = result
        with open(out + '.tmp', 'w') as f:
            json.dump(results, f, indent=1)
        os.replace(out + '.tmp', out)
    return sum(not r['ok'] for r in results.values())


if __name__ == '__main__':
    sys.exit(1 if main() else 0)
