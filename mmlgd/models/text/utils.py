"""Small helpers for the text side."""
import os

from mmlgd.utils.hashing import file_sha256

__all__ = ['file_sha256', 'register_open_clip_config']


def register_open_clip_config(model_config) -> str:
    """Register an open_clip model-config JSON (custom architectures) and
    return its sha256 ('' when ``model_config`` is None).

    Raises:
        FileNotFoundError: the JSON file does not exist.
    """
    if model_config is None:
        return ''
    if not os.path.isfile(model_config):
        raise FileNotFoundError(
            f'open_clip model config {model_config!r} does not exist.')
    import open_clip
    open_clip.add_model_config(model_config)
    return file_sha256(model_config)
