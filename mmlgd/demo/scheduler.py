"""Running the demo's stages over its stage graph (:func:`.plan.needs`).

``jobs == 1``: the stages run one after another in this process, as the
demo always did. ``jobs > 1``: a stage starts as soon as the stages it
needs have finished, each in a process of its own
(:class:`concurrent.futures.ProcessPoolExecutor`, spawn start method, one
stage per process) with ``threads`` intra-op threads (``torch`` and the
``OMP``/``MKL`` variables) and its console output in
``<work_dir>/logs/<stage>.log``; the console shows one live progress line
per running stage (:mod:`rich`); that loop is :class:`.parallel.ParallelRun`.

Ctrl-C (SIGINT) stops every running stage: each gets a SIGINT, its
finished results are kept, and a stage that had started keeps its
incomplete mark (:mod:`.results`), so the next call runs it again. A
stage's result depends only on its params, its inputs and its thread
count, not on ``jobs``.
"""
import os

from .parallel import Interrupted, ParallelRun
from .results import run_stage

__all__ = ['Interrupted', 'cores', 'default_jobs', 'run_stages']

# Memory per stage process, with headroom: the quick plan's stage processes
# peaked at 0.9-1.4 GiB (``profile.max_rss_mib`` of each result,
# 2026-12-07); the default plan's Mask R-CNN runs on more scenes.
STAGE_MEMORY = 3 * 2**30


def cores() -> int:
    """CPU cores this process may use."""
    return len(os.sched_getaffinity(0))


def default_jobs() -> int:
    """Stages at a time: one per core, as many as memory holds at
    :data:`STAGE_MEMORY` each, at least one."""
    memory = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')
    return max(1, min(cores(), memory // STAGE_MEMORY))



def run_stages(ctx, stages, runners, only=None, jobs=1, threads=None):
    """Run the stages (those in ``only`` when given), each once its inputs
    exist, skipping those done before.

    Args:
        ctx (Context): the run.
        stages (list[plan.Stage]): the plan, in order; a stage's
            :func:`.plan.needs` outside ``only`` must have run before.
        runners (dict): kind -> function(ctx, stage) -> dict, importable
            by name (the spawned processes look them up).
        only (Collection[str], optional): run only these stages.
        jobs (int): stages at a time.
        threads (int, optional): intra-op threads per stage; default
            ``cores() // jobs`` (at least 1).

    Returns:
        list[str]: the stages that ran (not the skipped ones), in the
        order they finished.

    Raises:
        Interrupted: on Ctrl-C (``jobs > 1``; with one job the
            KeyboardInterrupt itself propagates).
        Exception: the first stage failure, after the running stages
            finished.
    """
    todo = [s for s in stages if not only or s.name in only]
    threads = threads or max(1, cores() // jobs)
    index = {s.name: i for i, s in enumerate(stages, 1)}
    if jobs == 1:
        import torch
        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        ran = []
        try:
            for s in todo:
                if run_stage(ctx, s, runners, index[s.name], len(stages)):
                    ran.append(s.name)
        except FileNotFoundError as err:
            err.demo_stage = s.name  # for the message of --only
            raise
        finally:
            torch.set_num_threads(before)
        return ran
    return ParallelRun(ctx, todo, runners, index, len(stages), jobs,
                       threads).run()
