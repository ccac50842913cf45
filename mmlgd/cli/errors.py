"""The one error convention of every ``tools/`` command line.

:func:`cli_main` decorates a tool's ``main(argv=None)``; the tool script is
then ``sys.exit(main())``. Exit statuses:

* ``0``: success (``main`` returned ``None`` or ``0``);
* ``1``: a user error (bad input, a missing or existing file, a refused
  action): one line ``error: <message>`` on stderr, no traceback. The user
  errors are :data:`USER_ERRORS` (plus the decorator's ``extra``); any other
  exception is a bug and keeps its traceback;
* ``2``: a bad command line (argparse's own ``usage: ... error: ...``);
* ``130``: interrupted (Ctrl-C): ``error: interrupted`` plus what was kept,
  when ``main`` says so by raising :class:`Interrupted`.

The raised :class:`SystemExit` carries the message (``str(exc)``) and the
status (``exc.code``), so Python callers and tests can check both. Set
``MMLGD_TRACEBACK=1`` to get the full traceback of a user error instead.

An ``int`` returned by ``main`` is its exit status; anything else is a bug
(tools return values through the library function they call, not ``main``).
"""
import functools
import os
import pickle
import sys
from argparse import ArgumentParser
from typing import Callable, Optional, Sequence, Tuple, Type

__all__ = ['USER_ERRORS', 'CliError', 'Interrupted', 'cli_main', 'exit_with']

INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class CliError(Exception):
    """A user error a tool raises itself (``error: <message>``, status 1,
    or ``code``).

    Args:
        message (str): what is wrong and how to fix it.
        code (int): the exit status (default 1).
    """

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


class Interrupted(CliError):
    """Raise from ``except KeyboardInterrupt`` to say what was kept
    (``error: interrupted. <message>``, status 130).

    Args:
        message (str): what was kept and how to resume, e.g. ``'The
            complete shards in DIR are kept; rerun the same command.'``.
    """

    def __init__(self, message: str = ''):
        super().__init__(message, INTERRUPTED)


# Bad input, as the library raises it: a wrong value or setting
# (ValueError), a missing / existing / unreadable file (OSError, with
# FileNotFoundError, FileExistsError, PermissionError), a model or encoder
# that cannot be built as asked (RuntimeError), a missing optional package
# (ImportError), a checkpoint with code in it (pickle.UnpicklingError).
USER_ERRORS: Tuple[Type[BaseException], ...] = (
    CliError, ValueError, OSError, RuntimeError, ImportError,
    pickle.UnpicklingError)


def _one_line(err: BaseException) -> str:
    """The message of ``err`` on one line (a KeyError's without quotes)."""
    text = str(err.args[0]) if isinstance(err, KeyError) and err.args \
        else str(err)
    return ' '.join(line.strip() for line in text.splitlines()
                    if line.strip()) or type(err).__name__


def exit_with(message: str, code: int = 1) -> SystemExit:
    """Print ``error: message`` (one line) to stderr and return the
    :class:`SystemExit` to raise: ``code`` is its status, ``message`` its
    ``str``.

    Args:
        message (str): the error, without the ``error:`` prefix.
        code (int): the exit status.
    """
    line = f'error: {message}'
    print(line, file=sys.stderr, flush=True)
    exc = SystemExit(line)
    exc.code = code
    return exc


def cli_main(func: Optional[Callable] = None, *,
             parser: Optional[Callable[[], ArgumentParser]] = None,
             extra: Sequence[Type[BaseException]] = ()) -> Callable:
    """Decorate a tool's ``main`` with the exit convention above.

    Use as ``@cli_main`` on ``main(argv=None)``, or as
    ``@cli_main(parser=build_parser)`` on ``main(args)``, which then gets
    the parsed :class:`argparse.Namespace`; ``extra=(KeyError, ...)`` adds
    user-error types.

    Args:
        func (Callable): ``main(argv=None)`` (or ``main(args)`` with
            ``parser``) returning None or an exit status.
        parser (Callable, optional): builds the tool's
            :class:`argparse.ArgumentParser`; ``argv`` is parsed with it
            before ``func`` runs (inside the convention).
        extra (Sequence[type]): more exception types that are user errors
            for this tool.

    Returns:
        Callable: ``main(argv=None) -> int`` (0 on success).

    Raises:
        SystemExit: on a user error (status 1 or :attr:`CliError.code`),
            an interrupt (130) or a bad command line (2, from argparse).
        TypeError: ``main`` returned something other than None or an int.
    """
    if func is None:
        return functools.partial(cli_main, parser=parser, extra=extra)
    errors = USER_ERRORS + tuple(extra)

    @functools.wraps(func)
    def main(argv: Optional[Sequence[str]] = None) -> int:
        try:
            status = func(argv if parser is None else
                          parser().parse_args(argv))
        except KeyboardInterrupt:
            raise exit_with('interrupted.', INTERRUPTED) from None
        except errors as err:
            if os.environ.get('MMLGD_TRACEBACK') == '1':
                raise
            if isinstance(err, Interrupted):
                message = _one_line(err)
                raise exit_with('interrupted.' + (f' {message}' if message
                                                  else ''), err.code) from None
            raise exit_with(_one_line(err),
                            getattr(err, 'code', 1) if isinstance(
                                err, CliError) else 1) from None
        if status is None:
            return 0
        if isinstance(status, bool) or not isinstance(status, int):
            raise TypeError(f'{func.__module__}.{func.__name__} returned '
                            f'{type(status).__name__}; a cli_main returns '
                            'None or an exit status.')
        return status

    return main
