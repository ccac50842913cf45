"""File digests (one copy for the text encoders, the TSB cache keys and the
student export)."""
import functools
import hashlib
import os


@functools.lru_cache(maxsize=64)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    """Hex sha256 of ``path``; ``size`` and ``mtime_ns`` are the memo key
    (a changed file is hashed again)."""
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 22), b''):
            h.update(block)
    return h.hexdigest()


def file_sha256(path: str) -> str:
    """Hex sha256 of a file's bytes, memoised per process on (absolute
    path, size, mtime), so a weights file is hashed once per process.

    Args:
        path (str): the file.

    Returns:
        str: 64 hex digits.

    Raises:
        FileNotFoundError: ``path`` does not exist.
    """
    st = os.stat(path)
    return _sha256(os.path.abspath(path), st.st_size, st.st_mtime_ns)
