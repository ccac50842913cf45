from .inferencer import ZeroShotInferencer
from .inferencer_cli import infer_images, parse_classes, parse_templates
from .runner_setup import build_runner, load_config, scope_of

__all__ = [
    'build_runner', 'load_config', 'scope_of', 'ZeroShotInferencer',
    'infer_images', 'parse_classes', 'parse_templates'
]
