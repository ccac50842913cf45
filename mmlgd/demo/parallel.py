"""The demo's ``jobs > 1`` loop (:func:`.scheduler.run_stages`): a stage
starts as soon as the stages it needs have finished, each in a process of
its own (:class:`concurrent.futures.ProcessPoolExecutor`, spawn start
method, one stage per process) with ``threads`` intra-op threads and its
console output in ``<work_dir>/logs/<stage>.log``; one live progress line
per running stage (:mod:`rich`). Ctrl-C: SIGINT to every running stage
(:class:`Interrupted`), a second one SIGTERM.
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

THREAD_VARS = ('OMP_NUM_THREADS', 'MKL_NUM_THREADS')


class Interrupted(Exception):
    """Ctrl-C stopped the run; ``incomplete`` names the stages that had
    started and did not finish (they run again on the next call)."""

    def __init__(self, incomplete):
        super().__init__(incomplete)
        self.incomplete = incomplete


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


class ParallelRun:
    """The ``jobs > 1`` loop: submit ready stages, show progress, collect
    results, stop on SIGINT.

    Args:
        ctx (Context): the run.
        todo (list[plan.Stage]): the stages to run, in plan order.
        runners (dict): kind -> function(ctx, stage) -> dict, importable
            by name.
        index (dict): stage name -> its 1-based place in the plan.
        n (int): stages in the plan.
        jobs (int): stages at a time.
        threads (int): intra-op threads per stage.
    """

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
