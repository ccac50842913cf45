"""CPU deployment benchmark: LGD students next to their CLIP teacher.

Each model is an *image tower*: images -> the embedding compared with the
TSB. For a student that is backbone + LGKA projector (what the zero-shot
ONNX graph holds before its last matrix); for the teacher, CLIP RN50's
image encoder (open_clip, random weights: speed does not depend on them).
The TSB product (K x D) is the same for both and left out.

Per model: parameters and FLOPs from mmengine's
``get_model_complexity_info`` (fvcore-style counting: one multiply-add is
one FLOP), and, with :mod:`torch.utils.benchmark`, the median latency at
batch 1 and the throughput at batch 32 for PyTorch eager,
``torch.compile`` (inductor) and onnxruntime (CPU provider), all with the
same thread count.
"""
import os
import tempfile
import time
import traceback
from typing import Callable, Dict, List, Optional, Sequence

import torch
from torch import nn

from mmlgd.models.algorithms.base import student_embedding

BACKENDS = ('eager', 'compile', 'onnxruntime')


class StudentEmbedding(nn.Module):
    """Student backbone + LGKA neck: (B, 3, H, W) -> (B, D) unit rows
    (:func:`~mmlgd.models.algorithms.base.student_embedding`)."""

    def __init__(self, backbone: nn.Module, neck: nn.Module):
        super().__init__()
        self.backbone, self.neck = backbone, neck

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return student_embedding(self.backbone, self.neck, x)


def build_student(config: str, embed_dim: int, num_classes: int) -> nn.Module:
    """The student of LGD config ``config`` with a projector to
    ``embed_dim`` (the TSB's D; K = ``num_classes`` only sizes the VSB)."""
    from mmengine.config import Config
    from mmpretrain.registry import MODELS

    from .builder import zero_shot_model_cfg
    model = zero_shot_model_cfg(Config.fromfile(config))
    neck = dict(model['neck'], out_channels=embed_dim,
                num_classes=num_classes)
    return StudentEmbedding(MODELS.build(model['backbone']),
                            MODELS.build(neck)).eval()


def build_clip_image_tower(model_name: str = 'RN50') -> nn.Module:
    """open_clip's image encoder of ``model_name``, random weights."""
    import open_clip
    return open_clip.create_model(model_name, pretrained=None).visual.eval()


def complexity(model: nn.Module, size: int) -> Dict[str, float]:
    """``params`` and ``flops`` (one multiply-add = 1) at batch 1."""
    from mmengine.analysis import get_model_complexity_info
    info = get_model_complexity_info(model, input_shape=(3, size, size),
                                     show_table=False, show_arch=False)
    return dict(params=float(info['params']), flops=float(info['flops']))


def _median_s(fn: Callable, min_run_time: float, threads: int) -> float:
    from torch.utils.benchmark import Timer
    timer = Timer(stmt='fn()', globals=dict(fn=fn), num_threads=threads)
    return float(timer.blocked_autorange(min_run_time=min_run_time).median)


def _torch_runner(module: nn.Module, x: torch.Tensor) -> Callable:
    def run():
        with torch.inference_mode():
            return module(x)
    return run


def _ort_session(model: nn.Module, size: int, threads: int, folder: str):
    from .onnx_export import export_module, require_onnx
    _, ort = require_onnx()
    path = os.path.join(folder, f'{id(model)}.onnx')
    # opset 18, the exporter's own: converting up to the newest opset
    # (what tools/deployment/export_onnx.py does) adds seconds per model
    # and does not change the kernels onnxruntime runs.
    export_module(model, path, (1, 3, size, size), opset=18)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts,
                                providers=['CPUExecutionProvider'])


def time_model(model: nn.Module, size: int,
               backends: Sequence[str] = BACKENDS,
               batches: Sequence[int] = (1, 32), threads: int = 1,
               min_run_time: float = 1.0,
               compile_batches: Optional[Sequence[int]] = None,
               log: Callable[[str], None] = print) -> Dict[str, dict]:
    """Median seconds per forward pass for each backend and batch size
    (``compile_batches``: the batch sizes timed with torch.compile, each
    one compilation; default ``batches``).

    Returns:
        dict: ``{backend: {'s': {batch: seconds}, 'setup_s': float}}`` or
        ``{backend: {'error': str}}`` when a backend fails here.
    """
    torch.set_num_threads(threads)
    out: Dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            try:
                t0 = time.perf_counter()
                if backend == 'onnxruntime':
                    sess = _ort_session(model, size, threads, folder)
                elif backend == 'compile':
                    compiled = torch.compile(model)
                setup = time.perf_counter() - t0
                res = {}
                for b in batches:
                    if backend == 'compile' and b not in (
                            compile_batches or batches):
                        continue
                    x = torch.randn(b, 3, size, size)
                    if backend == 'onnxruntime':
                        feed = {'input': x.numpy()}

                        def fn(feed=feed):
                            return sess.run(None, feed)
                    else:
                        fn = _torch_runner(
                            compiled if backend == 'compile' else model, x)
                    t1 = time.perf_counter()
                    fn()  # warm-up (and, for compile, the compilation)
                    setup += time.perf_counter() - t1
                    res[b] = _median_s(fn, min_run_time * (1 + (b > 1)),
                                       threads)
                out[backend] = dict(s=res, setup_s=setup)
                log(f'  {backend}: ' + ', '.join(
                    f'b{b} {s * 1e3:.1f} ms' for b, s in res.items())
                    + f' (setup {setup:.0f} s)')
            except Exception as err:  # noqa: BLE001 - reported in the doc
                last = traceback.format_exception_only(err)[-1].strip()
                out[backend] = dict(error=last[:300])
                log(f'  {backend}: FAILED {last[:300]}')
    return out


def run_benchmark(specs: Sequence[dict], backends: Sequence[str] = BACKENDS,
                  threads: int = 1, min_run_time: float = 1.0,
                  compile_batches: Optional[Sequence[int]] = None,
                  compile_models: Optional[Sequence[str]] = None,
                  log: Callable[[str], None] = print) -> List[dict]:
    """Benchmark every model of ``specs``.

    Args:
        specs: dicts with ``name``, ``size`` and either ``config`` (an LGD
            config; with ``embed_dim`` and ``num_classes``) or
            ``clip`` (an open_clip model name, e.g. ``'RN50'``: the teacher).
            ``teacher=True`` marks the reference of the ratios.
        compile_models: names timed with torch.compile (default: all);
            each compilation costs tens of seconds on a small CPU.

    Returns:
        list[dict]: per model the spec plus ``params``, ``flops`` and
        ``timing`` (:func:`time_model`).
    """
    rows = []
    for spec in specs:
        log(f"{spec['name']} at {spec['size']} px")
        if 'clip' in spec:
            model = build_clip_image_tower(spec['clip'])
        else:
            model = build_student(spec['config'], spec['embed_dim'],
                                  spec['num_classes'])
        row = dict(spec, **complexity(model, spec['size']))
        use = [b for b in backends if b != 'compile' or compile_models is None
               or spec['name'] in compile_models]
        row['timing'] = time_model(model, spec['size'], use,
                                   threads=threads,
                                   min_run_time=min_run_time,
                                   compile_batches=compile_batches, log=log)
        rows.append(row)
    return rows


def latency_ms(row: dict, backend: str, batch: int = 1) -> Optional[float]:
    """Median ms per forward pass, or None if the backend failed."""
    s = row['timing'].get(backend, {}).get('s', {}).get(batch)
    return None if s is None else s * 1e3
