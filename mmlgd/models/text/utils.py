"""Small helpers for the text side."""
import functools
import hashlib
import os


@functools.lru_cache(maxsize=64)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 22), b''):
            h.update(block)
    return h.hexdigest()


def file_sha256(path: str) -> str:
    """sha256 of a file's bytes (memoised per path, size and mtime)."""
    st = os.stat(path)
    return _sha256(os.path.abspath(path), st.st_size, st.st_mtime_ns)


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
