"""Where a demo stage's time goes, and how far a running stage is.

A :class:`StageClock` belongs to one stage run. The runners a stage builds
get a :class:`ProfileHook` (mmengine hook points, not hand timing around
the calls): the windows ``before_train`` -> ``after_train`` (minus any
validation inside it) are training, ``before_val`` / ``before_test`` ->
``after_val`` / ``after_test`` are evaluation, and of that the step from the
last iteration to ``after_*_epoch`` is the metric computation
(``Evaluator.evaluate``: CocoMetric, IoUMetric, accuracy). What is left of
the stage's wall time is start-up: imports (in a process of its own),
config parsing, model, dataset and dataloader building, checkpoint loading,
and the data stages' work. The clock also writes the stage's progress into
its *incomplete mark* (``results/<stage>.incomplete``), which the scheduler
reads for its progress lines and which is removed once the result is
written.
"""
import json
import os
import time

from mmengine.hooks import Hook

from mmlgd.utils.fileio import atomic_write_text

PHASES = ('start-up', 'train', 'eval')


class StageClock:
    """Time and progress of one stage run.

    Args:
        mark (str): path of the stage's incomplete mark (rewritten with the
            progress at most every ``every`` seconds).
        info (dict): written into the mark too (pid, log file, ...).
        every (float): seconds between progress writes.
    """

    def __init__(self, mark, info=None, every=1.0):
        self.mark = mark
        self.info = dict(info or {}, pid=os.getpid())
        self.every = every
        self.start = time.perf_counter()
        self.train_s = self.eval_s = self.metric_s = 0.0
        self.phase, self.done, self.total = 'start-up', 0, 0
        self._written = 0.0
        self.write(force=True)

    def write(self, force=False):
        """Rewrite the mark with the current phase and iteration."""
        now = time.perf_counter()
        if not force and now - self._written < self.every:
            return
        self._written = now
        atomic_write_text(self.mark, json.dumps(dict(
            self.info, phase=self.phase, done=self.done, total=self.total,
            elapsed_s=round(now - self.start, 1))))

    def progress(self, phase, done, total):
        self.phase, self.done, self.total = phase, done, total
        self.write(force=done >= total)

    def summary(self) -> dict:
        """Seconds per phase: ``startup_s`` (the rest of ``total_s``),
        ``train_s``, ``eval_s`` and ``metric_s`` (part of ``eval_s``)."""
        total = time.perf_counter() - self.start
        return dict(startup_s=round(total - self.train_s - self.eval_s, 2),
                    train_s=round(self.train_s, 2),
                    eval_s=round(self.eval_s, 2),
                    metric_s=round(self.metric_s, 2),
                    total_s=round(total, 2))


class ProfileHook(Hook):
    """Feeds a :class:`StageClock` from a Runner's hook points (attached by
    the demo with ``runner.register_hook``, never built from a config).

    Args:
        clock (StageClock): the stage's clock.
    """

    priority = 'VERY_LOW'  # after every other hook of the same point

    def __init__(self, clock):
        self.clock = clock
        self._t = {}

    def _begin(self, key):
        self._t[key] = time.perf_counter()

    def _end(self, key):
        return time.perf_counter() - self._t.pop(key)

    def before_train(self, runner):
        self._begin('train')
        self._val_in_train = 0.0

    def after_train(self, runner):
        self.clock.train_s += self._end('train') - self._val_in_train

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.clock.progress('train', runner.iter + 1, runner.max_iters)

    def _eval_begin(self, runner):
        self._begin('eval')
        self._last_iter = time.perf_counter()

    def _eval_iter(self, runner, batch_idx, loader):
        self._last_iter = time.perf_counter()
        self.clock.progress('eval', batch_idx + 1, len(loader))

    def _eval_epoch_end(self, runner):
        self.clock.metric_s += time.perf_counter() - self._last_iter

    def _eval_end(self, runner):
        took = self._end('eval')
        self.clock.eval_s += took
        if 'train' in self._t:  # validation inside training
            self._val_in_train += took

    def before_val(self, runner):
        self._eval_begin(runner)

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None):
        self._eval_iter(runner, batch_idx, runner.val_dataloader)

    def after_val_epoch(self, runner, metrics=None):
        self._eval_epoch_end(runner)

    def after_val(self, runner):
        self._eval_end(runner)

    def before_test(self, runner):
        self._eval_begin(runner)

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None):
        self._eval_iter(runner, batch_idx, runner.test_dataloader)

    def after_test_epoch(self, runner, metrics=None):
        self._eval_epoch_end(runner)

    def after_test(self, runner):
        self._eval_end(runner)
