"""Atomic file writes shared by mmlgd's tools.

Every writer here produces its output in a temporary file next to the target
(same directory, hence same filesystem) and moves it into place with
:func:`os.replace` only once the content is complete. A reader therefore sees
either the previous file or the complete new one, never a half-written file;
a writer that fails (exception, Ctrl-C) leaves the previous file untouched and
removes its temporary file.

Guarantee: atomic with respect to concurrent readers and to crashes of the
writing process. The data is not ``fsync``-ed, so it is not guaranteed to
survive a power loss.

Overwriting: ``force=True`` (the default) replaces an existing file.
``force=False`` refuses with :class:`FileExistsError` naming the file and the
``--force`` flag (tools map their ``--force`` option onto this argument); the
no-overwrite check is done atomically with :func:`os.link` where the
filesystem supports hard links.

:func:`check_output_dir` applies the same rule to a whole output folder that
a tool marks as complete with a JSON "marker" file written last.

Parent directories are created as needed. New files get the usual
``0o666 & ~umask`` permissions (not the ``0o600`` of :mod:`tempfile`); a
replaced file keeps its previous permission bits.
"""
import contextlib
import json
import os
import stat
import tempfile
from typing import IO, Any, Iterator, Sequence, Union

__all__ = [
    'atomic_open', 'atomic_write_bytes', 'atomic_write_text',
    'atomic_write_json', 'check_output_dir'
]

PathLike = Union[str, os.PathLike]


def _refuse(path: str) -> FileExistsError:
    return FileExistsError(
        f'{path} already exists; refusing to overwrite it. Pass force=True '
        '(on the command line: --force) to replace it.')


@contextlib.contextmanager
def atomic_open(path: PathLike,
                mode: str = 'wb',
                force: bool = True,
                encoding: str = 'utf-8') -> Iterator[IO]:
    """Open ``path`` for writing, atomically.

    Yields a file object writing to a temporary file in the target's
    directory. On normal exit of the ``with`` block the temporary file is
    closed and renamed onto ``path``; on an exception it is closed and
    deleted, ``path`` is left as it was and the exception propagates.

    Args:
        path: destination file. Its parent directories are created.
        mode: ``'wb'`` (bytes, default) or ``'w'`` / ``'wt'`` (text).
        force: replace an existing ``path``. If False and ``path`` exists,
            raise :class:`FileExistsError` (before or, if it appeared in the
            meantime, at the final rename).
        encoding: text encoding, used for text modes only.

    Raises:
        ValueError: ``mode`` is not a plain write mode.
        IsADirectoryError: ``path`` is an existing directory.
        FileExistsError: ``path`` exists and ``force`` is False.
    """
    if mode not in ('wb', 'w', 'wt'):
        raise ValueError(f"atomic_open supports mode 'wb', 'w' or 'wt', "
                         f'got {mode!r}')
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f'{path} is a directory, expected a file path')
    if not force and os.path.lexists(path):
        raise _refuse(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=directory, prefix=f'.{os.path.basename(path)}.', suffix='.tmp')
    try:
        kwargs = {} if 'b' in mode else {'encoding': encoding, 'newline': ''}
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
        _set_mode(tmp, path)
        if force:
            os.replace(tmp, path)
        else:
            _link_exclusive(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _current_umask() -> int:
    """The process umask, read without changing it where the OS allows.

    Linux reports it in ``/proc/self/status`` (kernel >= 4.7). Elsewhere it
    can only be read by setting it, so it is set and put back at once, at
    the time of the write (never at import).
    """
    try:
        with open('/proc/self/status', encoding='ascii') as f:
            for line in f:
                if line.startswith('Umask:'):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _set_mode(tmp: str, path: str) -> None:
    """Give ``tmp`` the permissions ``path`` has (or a new file would get)."""
    try:
        perm = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        perm = 0o666 & ~_current_umask()
    os.chmod(tmp, perm)


def _link_exclusive(tmp: str, path: str) -> None:
    """Move ``tmp`` to ``path``, failing if ``path`` exists (no overwrite)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise _refuse(path) from None
    except OSError:  # no hard links here (e.g. some network filesystems)
        if os.path.lexists(path):
            raise _refuse(path) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def atomic_write_bytes(path: PathLike,
                       data: bytes,
                       force: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_open`).

    Raises:
        FileExistsError: ``path`` exists and ``force`` is False.
    """
    with atomic_open(path, 'wb', force=force) as f:
        f.write(data)


def atomic_write_text(path: PathLike,
                      text: str,
                      force: bool = True,
                      encoding: str = 'utf-8') -> None:
    """Write ``text`` to ``path`` atomically (no newline translation).

    Raises:
        FileExistsError: ``path`` exists and ``force`` is False.
    """
    with atomic_open(path, 'w', force=force, encoding=encoding) as f:
        f.write(text)


def atomic_write_json(path: PathLike,
                      obj: Any,
                      force: bool = True,
                      indent: int = 2) -> None:
    """Serialise ``obj`` as JSON (UTF-8, trailing newline) to ``path``.

    The object is serialised before the file is touched, so an object that is
    not JSON-serialisable leaves ``path`` unchanged.

    Raises:
        TypeError / ValueError: ``obj`` is not JSON-serialisable.
        FileExistsError: ``path`` exists and ``force`` is False.
    """
    text = json.dumps(obj, indent=indent, ensure_ascii=False) + '\n'
    atomic_write_text(path, text, force=force)


def check_output_dir(out: PathLike,
                     marker: str,
                     config: dict,
                     files: Sequence[str] = (),
                     force: bool = False) -> bool:
    """Decide whether a tool may skip, build or must refuse ``out``.

    A tool writes ``out/<marker>`` (JSON with a ``'config'`` entry) last, so
    its presence means a complete earlier run.

    Args:
        out: the tool's output folder.
        marker: marker file name inside ``out``, e.g. ``'splits.json'``.
        config: everything that determines the output (JSON-serialisable).
        files: paths relative to ``out`` that a complete output contains.
        force: allow overwriting an output made with another config.

    Returns:
        True if the marker records the same ``config`` and all ``files``
        exist (the caller can skip), False if the caller should (re)build:
        ``out`` is missing or empty, the same config with files missing, or
        anything else when ``force`` is True.

    Raises:
        FileExistsError: ``out`` holds another config, or files without a
            marker (an interrupted run or foreign data), and ``force`` is
            False. The message names the folder and ``--force``.
    """
    out = os.fspath(out)
    config = json.loads(json.dumps(config))  # tuples -> lists, as stored
    mpath = os.path.join(out, marker)
    if os.path.isfile(mpath):
        with open(mpath, encoding='utf-8') as f:
            old = json.load(f).get('config') or {}
        if old == config:
            return all(os.path.exists(os.path.join(out, p)) for p in files)
        diff = sorted(k for k in {**old, **config}
                      if old.get(k) != config.get(k))
        what = f'a different output ({mpath} differs in {diff})'
    elif os.path.isdir(out) and os.listdir(out):
        what = f'other data (no {marker}: an interrupted run?)'
    else:
        return False
    if force:
        return False
    raise FileExistsError(f'{out} already holds {what}; refusing to '
                          'overwrite it. Pass force=True (on the command '
                          'line: --force) or choose another output folder.')
