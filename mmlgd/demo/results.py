"""The demo's resumable results: ``<work_dir>/results/<stage>.json``, each
with the params it was computed from. A stage that started and has no
result yet (interrupted, failed) keeps its *incomplete mark*
``results/<stage>.incomplete`` (progress and pid, :mod:`.profile`) and runs
again on the next call."""
import gc
import json
import os
import os.path as osp
import resource

import torch

from mmlgd.utils.fileio import atomic_write_json
from mmlgd.utils.hashing import file_sha256

from .plan import REF_KEYS
from .profile import StageClock


class Context:
    """Where results live and which stages to redo."""

    def __init__(self, work_dir, settings, redo=()):
        self.work_dir = work_dir
        self.settings = settings
        self.redo = set(redo)
        self.clock = None  # the running stage's StageClock
        self.wall = None  # this call's wall time (:func:`.pipeline.run`)
        os.makedirs(osp.join(work_dir, 'results'), exist_ok=True)

    def result_path(self, name):
        return osp.join(self.work_dir, 'results', f'{name}.json')

    def mark_path(self, name):
        """The stage's incomplete mark (exists while it has started and not
        written its result)."""
        return osp.join(self.work_dir, 'results', f'{name}.incomplete')

    def log_path(self, name):
        """Console output of a stage run in a process of its own."""
        return osp.join(self.work_dir, 'logs', f'{name}.log')

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
    for key in REF_KEYS:
        dep = params.get(key)
        if isinstance(dep, str) and osp.isfile(ctx.result_path(dep)):
            params[f'{key}_result'] = file_sha256(
                ctx.result_path(dep), memo=False)[:16]
    return params


def is_done(ctx, stage) -> bool:
    """Whether ``stage`` has a result from the same params and upstream
    results, no incomplete mark, and is not to be redone."""
    path = ctx.result_path(stage.name)
    if not osp.isfile(path) or osp.exists(ctx.mark_path(stage.name)) or (
            {stage.name, 'all'} & ctx.redo):
        return False
    return ctx.result(stage.name).get('params') == _fingerprint(ctx, stage)


def run_stage(ctx, stage, runners, i, n, force=False, info=None):
    """Run one stage (unless :func:`is_done` and not ``force``) and write
    its result: the runner's dict plus ``params``, ``wall_s`` and
    ``profile`` (:meth:`StageClock.summary`, with the thread count and
    the CPU capability, e.g. ``AVX2``, that computed it).

    Args:
        ctx (Context): the run.
        stage (plan.Stage): the stage.
        runners (dict): kind -> function(ctx, stage) -> dict
            (:data:`.stages.RUNNERS`).
        i, n (int): its position in the plan, for the messages.
        force (bool): run even if done.
        info (dict, optional): from the scheduler: ``spawn_s`` (process
            start and imports before this call, added to start-up) and
            ``log`` (the stage's log file).

    Returns:
        dict or None: the result written, None when skipped.
    """
    if not force and is_done(ctx, stage):
        print(f'[demo] [{i}/{n}] {stage.name}: done before, skipped',
              flush=True)
        return None
    params = _fingerprint(ctx, stage)
    print(f'[demo] [{i}/{n}] {stage.name} ({stage.kind}) ...', flush=True)
    info = dict(info or {})
    ctx.clock = StageClock(ctx.mark_path(stage.name), info)
    out = runners[stage.kind](ctx, stage)
    gc.collect()
    prof = ctx.clock.summary()
    spawn = info.get('spawn_s', 0.0)
    if spawn:
        prof.update(spawn_s=round(spawn, 2),
                    startup_s=round(prof['startup_s'] + spawn, 2),
                    total_s=round(prof['total_s'] + spawn, 2),
                    # peak memory of the stage's own process
                    max_rss_mib=resource.getrusage(
                        resource.RUSAGE_SELF).ru_maxrss // 1024)
    # what a stage's numbers depend on besides its params: the intra-op
    # thread count and the CPU's instruction set (float summation order)
    out.update(params=params, wall_s=round(prof['total_s'], 1),
               profile=dict(prof, threads=torch.get_num_threads(),
                            cpu=torch.backends.cpu.get_cpu_capability()))
    atomic_write_json(ctx.result_path(stage.name), out)
    os.remove(ctx.mark_path(stage.name))
    shown = {k: v for k, v in out.get('metrics', {}).items()
             if isinstance(v, (int, float))}
    print(f'[demo] [{i}/{n}] {stage.name}: {shown} '
          f'({out["wall_s"]:.0f} s)', flush=True)
    return out
