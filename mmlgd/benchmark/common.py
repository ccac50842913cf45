"""Shared helpers of the benchmark (:mod:`mmlgd.benchmark`): timing,
memory, machine description and number formatting.

Timing is wall clock (``time.perf_counter``) around code that is
synchronised with the device first (``torch.cuda.synchronize`` on GPU), the
median over repeats after warm-up. Variants that are compared with each other
are timed *interleaved* (one round runs every variant once), so a burst of
load from other processes on a shared machine hits all of them alike.

Why not ``torch.utils.benchmark.Timer``: it times one statement at a time
(``blocked_autorange`` / ``adaptive_autorange``), so variants measured with
it see different stretches of machine load, and each ``Timer.timeit(n)``
call adds ``max(n // 100, 2)`` untimed warm-up calls, which for one-call
samples of a whole training step would triple the run time. Interleaved
rounds with one call per sample need the small loop below.
"""
import os
import platform
import statistics
import threading
import time
from typing import Callable, Dict, List, Optional

import torch


def sync(device: str) -> None:
    """Wait for queued device work (no-op on CPU)."""
    if str(device).startswith('cuda'):
        torch.cuda.synchronize()


def calibrate(fn: Callable[[], object], device: str,
              min_sample_s: float = 2e-3, max_number: int = 1000) -> int:
    """Calls per timing sample so that one sample lasts >= ``min_sample_s``
    (fast functions are timed in a batch of calls, then divided)."""
    sync(device)
    t0 = time.perf_counter()
    fn()
    sync(device)
    dt = time.perf_counter() - t0
    if dt >= min_sample_s:
        return 1
    return int(min(max_number, max(1, min_sample_s / max(dt, 1e-7))))


def time_interleaved(fns: Dict[str, Callable[[], object]], device: str,
                     repeats: int, warmup: int = 1,
                     min_sample_s: float = 0.0) -> Dict[str, dict]:
    """Median seconds per call of each function, interleaved rounds.

    Args:
        fns: name -> zero-argument callable.
        device: ``'cpu'`` or ``'cuda'`` (for synchronisation).
        repeats: timed rounds (samples per function).
        warmup: untimed rounds first.
        min_sample_s: batch calls so one sample lasts at least this long
            (0 = one call per sample).

    Returns:
        dict: name -> ``dict(median=s, min=s, samples=[...], number=n)``.
    """
    number = {k: (calibrate(f, device, min_sample_s) if min_sample_s else 1)
              for k, f in fns.items()}
    for _ in range(warmup):
        for f in fns.values():
            f()
    samples: Dict[str, List[float]] = {k: [] for k in fns}
    for _ in range(max(1, repeats)):
        for k, f in fns.items():
            sync(device)
            t0 = time.perf_counter()
            for _ in range(number[k]):
                f()
            sync(device)
            samples[k].append((time.perf_counter() - t0) / number[k])
    return {k: dict(median=statistics.median(v), min=min(v), samples=v,
                    number=number[k]) for k, v in samples.items()}


def malloc_trim() -> None:
    """Return free heap memory to the OS (glibc), so an RSS delta
    measures new allocations rather than reuse of freed memory."""
    try:
        import ctypes
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):
        pass


def rss_bytes() -> int:
    """Current resident set size of this process (Linux ``statm``)."""
    try:
        with open('/proc/self/statm') as f:
            return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
    except (OSError, ValueError, IndexError):
        return 0


class PeakMemory:
    """Peak memory of the code in a ``with`` block.

    CUDA: ``torch.cuda.max_memory_allocated`` after resetting the peak
    (absolute, includes the weights already on the GPU). CPU: peak resident
    set size minus the RSS at entry (after :func:`malloc_trim`), sampled
    every ``interval`` seconds by a thread reading ``/proc/self/statm``
    (torch ops release the GIL, so the sampler runs during them);
    ``tracemalloc`` would miss torch's allocations. Use it around the first
    step of a model so the allocations are new, not reused.
    ``self.bytes`` and ``self.kind`` hold the result.
    """

    def __init__(self, device: str, interval: float = 0.002):
        self.device = str(device)
        self.interval = interval
        self.bytes = 0
        self.kind = ''
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._peak = 0

    def _sample(self):
        while not self._stop.is_set():
            self._peak = max(self._peak, rss_bytes())
            time.sleep(self.interval)

    def __enter__(self):
        if self.device.startswith('cuda'):
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        else:
            malloc_trim()
            self._base = rss_bytes()
            self._peak = self._base
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.device.startswith('cuda'):
            torch.cuda.synchronize()
            self.bytes = torch.cuda.max_memory_allocated()
            self.kind = 'CUDA max_memory_allocated (absolute)'
        else:
            self._stop.set()
            self._thread.join()
            self._peak = max(self._peak, rss_bytes())
            self.bytes = self._peak - self._base
            self.kind = ('CPU: peak resident set size during the step minus '
                         'the RSS before it (after malloc_trim; sampled '
                         f'every {self.interval * 1e3:.0f} ms)')
        return False


def cpu_name() -> str:
    """The CPU model (``/proc/cpuinfo``'s ``model name``; elsewhere
    ``platform.processor()``)."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def machine_info(device: str) -> Dict[str, str]:
    """CPU model, cores, threads, load, library versions (mmengine's
    ``collect_env``, plus mmcv, mmpretrain and open_clip), GPU (if any)."""
    from mmengine.utils.dl_utils import collect_env
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    try:
        load = ' '.join(open('/proc/loadavg').read().split()[:3])
    except OSError:
        load = 'n/a'
    env = collect_env()
    info = {
        'CPU': cpu_name(),
        'cores (usable / os.cpu_count)': f'{affinity} / {os.cpu_count()}',
        'torch threads (intra-op)': str(torch.get_num_threads()),
        'load average at start (1/5/15 min)': load,
        'python': env['Python'].split()[0],
        'torch': env['PyTorch'],
        'mkldnn / bf16 on CPU': (
            f'{torch.backends.mkldnn.is_available()} / '
            f'{_cpu_has("avx512_bf16") or _cpu_has("amx_bf16")}'),
        'device used': device,
        'mmengine': env['MMEngine'],
    }
    for mod in ('mmcv', 'mmpretrain', 'open_clip'):
        try:
            info[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - optional in the report
            info[mod] = 'n/a'
    if str(device).startswith('cuda'):
        info['GPU'] = torch.cuda.get_device_name(0)
    return info


def _cpu_has(flag: str) -> bool:
    try:
        with open('/proc/cpuinfo') as f:
            return any(flag in line.split() for line in f
                       if line.startswith('flags'))
    except OSError:
        return False


def ms(seconds: float) -> str:
    """Seconds as a compact millisecond string."""
    v = seconds * 1e3
    if v >= 100:
        return f'{v:.0f}'
    if v >= 10:
        return f'{v:.1f}'
    if v >= 1:
        return f'{v:.2f}'
    return f'{v:.3f}'


def mib(nbytes: float) -> str:
    """Bytes as MiB with no decimals."""
    return f'{nbytes / 2**20:.0f}'
