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


def file_sha256(path: str, memo: bool = True) -> str:
    """Hex sha256 of a file's bytes, memoised per process on (absolute
    path, size, mtime), so a weights file is hashed once per process.

    Args:
        path (str): the file.
        memo (bool): use the memo. Pass False for small files that may be
            rewritten within one mtime tick (then size and mtime alone
            cannot tell the versions apart).

    Returns:
        str: 64 hex digits.

    Raises:
        FileNotFoundError: ``path`` does not exist.
    """
    st = os.stat(path)
    fn = _sha256 if memo else _sha256.__wrapped__
    return fn(os.path.abspath(path), st.st_size, st.st_mtime_ns)
