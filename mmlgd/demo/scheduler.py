"""Running the demo's stages over its stage graph (:func:`.plan.needs`).

``jobs == 1``: the stages run one after another in this process, as the
demo always did. ``jobs > 1``: a stage starts as soon as the stages it
needs have finished, each in a process of its own
(:class:`concurrent.futures.ProcessPoolExecutor`, spawn start method, one
stage per process) with ``threads`` intra-op threads (``torch`` and the
``OMP``/``MKL`` variables) and its console output in
``<work_dir>/logs/<stage>.log``; the console shows one live progress line
per running stage (:mod:`rich`).

Ctrl-C (SIGINT) stops every running stage: each gets a SIGINT, its
finished results are kept, and a stage that had started keeps its
incomplete mark (:mod:`.results`), so the next call runs it again. A
stage's result depends only on its params, its inputs and its thread
count, not on ``jobs``.
"""
import json
import multiprocessing
import os
import signal
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from mmlgd.utils.fileio import atomic_write_text

from . import plan
from .results import Context, is_done, run_stage

# Memory per stage process, with headroom: the quick plan's stage processes
# peaked at 0.9-1.4 GiB (``profile.max_rss_mib`` of each result,
# 2026-12-07); the default plan's Mask R-CNN runs on more scenes.
STAGE_MEMORY = 3 * 2**30
THREAD_VARS = ('OMP_NUM_THREADS', 'MKL_NUM_THREADS')


def cores() -> int:
    """CPU cores this process may use."""
    return len(os.sched_getaffinity(0))


def default_jobs() -> int:
    """Stages at a time: one per core, as many as memory holds at
    :data:`STAGE_MEMORY` each, at least one."""
    memory = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')
    return max(1, min(cores(), memory // STAGE_MEMORY))


class Interrupted(Exception):
    """Ctrl-C stopped the run; ``incomplete`` names the stages that had
    started and did not finish (they run again on the next call)."""

    def __init__(self, incomplete):
        super().__init__(incomplete)
        self.incomplete = incomplete


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
    return _Parallel(ctx, todo, runners, index, len(stages), jobs,
                     threads).run()


def _init_child(threads):
    """Pool initializer: ``threads`` intra-op threads; SIGINT ignored
    outside a stage (the stage turns it on)."""
    import torch
    torch.set_num_threads(threads)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _child(work_dir, settings, redo, stage, runners, i, n, submitted):
    """One stage in its own process, output into its log file. Returns
    ``'done'`` or ``'interrupted'``: also when a library turned the
    KeyboardInterrupt into another error (mmengine's config formatting
    catches everything and raises SyntaxError)."""
    info = dict(spawn_s=time.time() - submitted, submitted=submitted)
    sigint = []

    def on_sigint(signum, frame):
        sigint.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)
    try:
        ctx = Context(work_dir, settings, redo)
        info['log'] = ctx.log_path(stage.name)
        os.makedirs(os.path.dirname(info['log']), exist_ok=True)
        with open(info['log'], 'a') as log:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
        run_stage(ctx, stage, runners, i, n, force=True, info=info)
        return 'done'
    except BaseException as err:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if not (sigint or isinstance(err, KeyboardInterrupt)):
            raise
        print(f'[demo] {stage.name}: interrupted ({err!r:.200})', flush=True)
        return 'interrupted'
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _say(progress, text):
    """A line above the progress lines (plain text, no rich markup)."""
    progress.console.print(text, markup=False, highlight=False)


class _Parallel:
    """The ``jobs > 1`` loop: submit ready stages, show progress, collect
    results, stop on SIGINT."""

    def __init__(self, ctx, todo, runners, index, n, jobs, threads):
        self.ctx, self.todo, self.runners = ctx, todo, runners
        self.index, self.n, self.jobs, self.threads = index, n, jobs, threads
        self.names = {s.name for s in todo}
        self.finished, self.ran, self.running = set(), [], {}
        self.stops = 0

    def _ready(self, stage):
        return all(d in self.finished for d in plan.needs(stage)
                   if d in self.names)

    def _submit(self, pool, waiting, progress):
        for stage in list(waiting):
            if len(self.running) >= self.jobs:
                return
            if not self._ready(stage):
                continue
            waiting.remove(stage)
            i = self.index[stage.name]
            if is_done(self.ctx, stage):
                _say(progress, f'[demo] [{i}/{self.n}] {stage.name}: '
                                       'done before, skipped')
                self.finished.add(stage.name)
                return self._submit(pool, waiting, progress)
            submitted = time.time()
            # the mark exists from now on; the pid in it is trusted only
            # once the child has rewritten it with this ``submitted``
            atomic_write_text(self.ctx.mark_path(stage.name), json.dumps(
                dict(submitted=submitted, phase='waiting', done=0,
                     total=0)))
            fut = pool.submit(_child, self.ctx.work_dir, self.ctx.settings,
                              self.ctx.redo, stage, self.runners, i, self.n,
                              submitted)
            self.running[fut] = dict(
                stage=stage, submitted=submitted, pid=None, signalled=False,
                task=progress.add_task(f'{stage.name} waiting', total=None))

    def _show(self, progress):
        """Progress lines from the running stages' incomplete marks."""
        for run in self.running.values():
            try:
                with open(self.ctx.mark_path(run['stage'].name)) as f:
                    mark = json.load(f)
            except (OSError, ValueError):
                continue
            if mark.get('submitted') == run['submitted'] and 'pid' in mark:
                run['pid'] = mark['pid']
            progress.update(run['task'], description=f'{run["stage"].name} '
                            f'{mark["phase"]}', completed=mark['done'],
                            total=mark['total'] or None)

    def _signal(self, sig):
        """``sig`` to each running stage's process (SIGINT once)."""
        for run in self.running.values():
            if run['pid'] and (sig != signal.SIGINT or not run['signalled']):
                run['signalled'] = True
                try:
                    os.kill(run['pid'], sig)
                except ProcessLookupError:
                    pass

    def _collect(self, fut, progress):
        run = self.running.pop(fut)
        stage = run['stage']
        progress.remove_task(run['task'])
        try:
            status = fut.result()
        except KeyboardInterrupt:  # a second SIGINT during its clean-up
            return 'interrupted'
        except BrokenProcessPool:
            if self.stops:
                return None
            raise RuntimeError(
                f'the process of stage {stage.name!r} died (out of memory? '
                f'see {self.ctx.log_path(stage.name)}); try fewer --jobs'
            ) from None
        except Exception as err:
            if isinstance(err, FileNotFoundError):
                err.demo_stage = stage.name
            _say(progress,
                f'[demo] {stage.name} failed: {err!r}; its log: '
                f'{self.ctx.log_path(stage.name)}')
            raise
        if status == 'interrupted' and not self.stops:
            raise RuntimeError(f'stage {stage.name!r} was interrupted by a '
                               'signal to its own process')
        if status == 'done':
            self.finished.add(stage.name)
            self.ran.append(stage.name)
            r = self.ctx.result(stage.name)
            shown = {k: v for k, v in r.get('metrics', {}).items()
                     if isinstance(v, (int, float))}
            _say(progress,
                f'[demo] [{self.index[stage.name]}/{self.n}] {stage.name}: '
                f'{shown} ({r["wall_s"]:.0f} s)')
        return status

    def run(self):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )
        waiting, failure = list(self.todo), None
        old_env = {k: os.environ.get(k) for k in THREAD_VARS}
        os.environ.update({k: str(self.threads) for k in THREAD_VARS})
        old_sigint = signal.signal(signal.SIGINT, self._on_sigint)
        pool = ProcessPoolExecutor(
            min(self.jobs, len(self.todo)) or 1,
            mp_context=multiprocessing.get_context('spawn'),
            initializer=_init_child, initargs=(self.threads,),
            max_tasks_per_child=1)
        try:
            with Progress(TextColumn('{task.description:<28}'), BarColumn(),
                          MofNCompleteColumn(), TimeElapsedColumn(),
                          transient=True) as progress:
                _say(progress,
                    f'[demo] {self.jobs} stages at a time, {self.threads} '
                    f'thread(s) each; logs in '
                    f'{os.path.join(self.ctx.work_dir, "logs")}')
                while waiting or self.running:
                    if not self.stops and failure is None:
                        self._submit(pool, waiting, progress)
                    if not self.running:
                        break
                    done, _ = wait(self.running, timeout=0.5,
                                   return_when=FIRST_COMPLETED)
                    self._show(progress)
                    if self.stops:  # also those whose pid came since
                        self._signal(signal.SIGINT)
                    for fut in done:
                        try:
                            self._collect(fut, progress)
                        except Exception as err:  # noqa: BLE001
                            failure = failure or err
        finally:
            signal.signal(signal.SIGINT, old_sigint)
            # (waits for the processes the pool started in advance too: not
            # waiting races with its manager thread in Python 3.11)
            pool.shutdown(wait=True, cancel_futures=True)
            for k, v in old_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        if failure is not None:
            raise failure
        if self.stops:
            raise Interrupted(sorted(
                s.name for s in self.todo
                if os.path.exists(self.ctx.mark_path(s.name))))
        assert not waiting, f'stages never became ready: {waiting}'
        return self.ran

    def _on_sigint(self, signum, frame):
        """First Ctrl-C: SIGINT to every running stage, start no more;
        a second one: SIGTERM."""
        self.stops += 1
        self._signal(signal.SIGINT if self.stops == 1 else signal.SIGTERM)
