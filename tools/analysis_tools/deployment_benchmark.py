"""CPU deployment benchmark of the LGD students vs the CLIP RN50 teacher.

    python tools/analysis_tools/deployment_benchmark.py
        [--out docs/deployment.md] [--backends eager compile onnxruntime]
        [--threads 1] [--min-run-time 1.0] [--compile-batches 1 32]
        [--compile-models NAME...] [--force]

Params / FLOPs (mmengine), batch-1 latency and batch-32 throughput for
PyTorch eager, torch.compile and onnxruntime, in one run, written as
Markdown. The logic is :mod:`mmlgd.deployment.benchmark`.
"""
import sys

from mmlgd.cli.deployment_benchmark import main

if __name__ == '__main__':
    sys.exit(main())
