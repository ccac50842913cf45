"""Deployment of a distilled LGD student: the zero-shot model of a run,
ONNX export with onnxruntime verification, and CPU benchmarks."""
from .builder import (
    build_zero_shot_classifier,
    load_run,
    require_projector,
    zero_shot_model_cfg,
)
from .onnx_export import (
    PooledBackbone,
    ZeroShotLogits,
    export_onnx,
    require_onnx,
    verify,
)
from .preprocess import image_size, inference_pipeline, preprocess_geometry

__all__ = [
    'build_zero_shot_classifier', 'image_size', 'inference_pipeline',
    'load_run', 'require_projector', 'zero_shot_model_cfg', 'PooledBackbone',
    'ZeroShotLogits', 'export_onnx', 'require_onnx', 'verify',
    'preprocess_geometry'
]
