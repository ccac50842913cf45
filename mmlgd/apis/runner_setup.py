"""Config loading and Runner building shared by ``tools/train.py`` and
``tools/test.py`` for mmpretrain, mmdet and mmseg configs alike."""
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config, DictAction  # noqa: F401 (re-export)
from mmengine.registry import RUNNERS, init_default_scope
from mmengine.runner import Runner

SCOPES = ('mmpretrain', 'mmdet', 'mmseg')


def scope_of(cfg: Config) -> str:
    """The config's ``default_scope`` (mmpretrain when unset).

    Raises:
        ValueError: the scope is not one of mmpretrain, mmdet, mmseg.
    """
    scope = cfg.get('default_scope', None) or 'mmpretrain'
    if scope not in SCOPES:
        raise ValueError(f'default_scope={scope!r} is not supported; use one '
                         f'of {SCOPES} in the config.')
    return scope


def load_config(path: str, cfg_options: Optional[dict] = None,
                work_dir: Optional[str] = None,
                launcher: str = 'none') -> Config:
    """Read a config, apply ``--cfg-options`` and the work dir, set scope.

    Without CUDA, a distributed launch is set up for gloo on CPU.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: unsupported ``default_scope``, or a ``slurm``/``mpi``
            launcher on a machine without an accelerator.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'Config file {path!r} does not exist.')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(path))[0])
    init_default_scope(scope_of(cfg))
    if launcher != 'none' and _no_accelerator():
        _cpu_dist_cfg(cfg)
    return cfg


def _no_accelerator() -> bool:
    from mmengine.device import get_device
    return get_device() == 'cpu'


def _cpu_dist_cfg(cfg: Config) -> None:
    """Distributed settings that work without CUDA: gloo and CPU DDP.

    mmengine 0.10.7 assumes an accelerator: its ``init_dist`` calls
    ``torch.cuda.set_device`` and its DDP wrapper passes ``device_ids``,
    which CPU modules reject. :func:`build_runner` therefore initialises the
    gloo process group itself (mmengine then skips ``init_dist``) and the
    wrapper gets ``device_ids=None``.

    Raises:
        ValueError: a launcher other than ``pytorch`` (torchrun) is used.
    """
    if cfg.launcher != 'pytorch':
        raise ValueError(
            f'--launcher {cfg.launcher} needs a GPU with mmengine 0.10.7 '
            '(it calls torch.cuda.set_device). On a CPU-only machine start '
            'the processes with torchrun: tools/dist_train.sh or '
            'tools/dist_test.sh (--launcher pytorch).')
    env_cfg = cfg.get('env_cfg', None) or {}
    env_cfg['dist_cfg'] = {**(env_cfg.get('dist_cfg', None) or {}),
                           'backend': 'gloo'}
    cfg.env_cfg = env_cfg
    wrapper = cfg.get('model_wrapper_cfg', None)
    if wrapper is None:
        wrapper = dict(type='MMDistributedDataParallel',
                       broadcast_buffers=False,
                       find_unused_parameters=cfg.get(
                           'find_unused_parameters', False))
    if wrapper.get('type', 'MMDistributedDataParallel') == \
            'MMDistributedDataParallel':
        wrapper['device_ids'] = None  # CPU modules take no device ids
    cfg.model_wrapper_cfg = wrapper


def _init_cpu_process_group(cfg: Config) -> None:
    """Join the torchrun job with gloo (see :func:`_cpu_dist_cfg`)."""
    import datetime

    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        return
    for var in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        if var not in os.environ:
            raise RuntimeError(
                f'--launcher pytorch but ${var} is unset: start the job with '
                'tools/dist_train.sh / tools/dist_test.sh (torchrun).')
    kwargs = {}
    timeout = cfg.env_cfg.dist_cfg.get('timeout', None)
    if timeout is not None:
        kwargs['timeout'] = datetime.timedelta(seconds=timeout)
    dist.init_process_group(backend='gloo', **kwargs)


def init_dist_process_group(cfg: Config) -> None:
    """Join the launched job's process group outside a Runner (e.g. the
    teacher-cache build): gloo on a machine without an accelerator (see
    :func:`_cpu_dist_cfg`), else mmengine's ``init_dist`` with the config's
    ``env_cfg.dist_cfg``. Nothing happens when already initialised.

    Args:
        cfg (Config): a config from :func:`load_config` with a launcher
            other than ``'none'``.

    Raises:
        RuntimeError: ``launcher='pytorch'`` outside a torchrun job (CPU).
    """
    if _no_accelerator():
        _init_cpu_process_group(cfg)
        return
    import torch.distributed as dist
    from mmengine.dist import init_dist
    if not (dist.is_available() and dist.is_initialized()):
        init_dist(cfg.launcher, **(cfg.get('env_cfg', {}).get(
            'dist_cfg', None) or {}))


def ensure_hook(cfg: Config, hook_type: str) -> None:
    """Append ``dict(type=hook_type)`` to ``custom_hooks`` if absent."""
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(h.get('type') == hook_type for h in hooks):
        hooks.append(dict(type=hook_type))
    cfg.custom_hooks = hooks


def build_runner(cfg: Config) -> Runner:
    """Build the Runner (``runner_type`` if the config names one).

    Every run writes checkpoints whose message hub needs no
    ``builtins.getattr`` (:class:`mmlgd.engine.hooks.PlainMessageHubHook`);
    every run with a TSB checks its labels and top-k against it first
    (:class:`mmlgd.engine.hooks.ZeroShotCheckHook`).
    A ``pytorch``-launched run without an accelerator joins its torchrun job
    with gloo here, before mmengine would try CUDA.

    Raises:
        RuntimeError: ``launcher='pytorch'`` outside a torchrun job.
    """
    import mmlgd  # noqa: F401  registers modules, installs safe loading
    ensure_hook(cfg, 'PlainMessageHubHook')
    ensure_hook(cfg, 'ZeroShotCheckHook')  # labels vs TSB rows, top-k <= K
    if cfg.get('launcher', 'none') == 'pytorch' and _no_accelerator():
        _init_cpu_process_group(cfg)
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)
