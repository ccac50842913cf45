"""The argument parser every ``tools/`` command line is built with: its
``--help`` shows each option's default."""
import argparse
import os
from typing import Optional

__all__ = ['DefaultsFormatter', 'add_cfg_options', 'add_force',
           'add_runner_args', 'add_seed',
           'export_local_rank', 'make_parser']


class DefaultsFormatter(argparse.ArgumentDefaultsHelpFormatter,
                        argparse.RawDescriptionHelpFormatter):
    """``(default: X)`` after each option's help, except for defaults that
    say nothing (``None``, ``False``); the description keeps its line
    breaks (usage examples)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default is None or action.default is False:
            return action.help or ''
        return super()._get_help_string(action)


def make_parser(description: str,
                epilog: Optional[str] = None) -> argparse.ArgumentParser:
    """An :class:`argparse.ArgumentParser` with :class:`DefaultsFormatter`.

    Args:
        description (str): the tool's one-line summary (and usage).
        epilog (str, optional): text after the options.
    """
    return argparse.ArgumentParser(description=description, epilog=epilog,
                                   formatter_class=DefaultsFormatter)


def add_force(parser: argparse.ArgumentParser,
              what: str = 'the output') -> None:
    """``--force``: replace ``what`` when it exists (never silently).

    Args:
        parser (argparse.ArgumentParser): the tool's parser.
        what (str): the output(s) it replaces, for the help.
    """
    parser.add_argument('--force', action='store_true',
                        help=f'replace {what} if it exists')


def add_seed(parser: argparse.ArgumentParser, what: str = 'random') -> None:
    """``--seed`` (int, default 0).

    Args:
        parser (argparse.ArgumentParser): the tool's parser.
        what (str): what the seed draws, for the help.
    """
    parser.add_argument('--seed', type=int, default=0, help=f'{what} seed')


def add_cfg_options(parser: argparse.ArgumentParser) -> None:
    """``--cfg-options key=value ...`` (mmengine's ``DictAction``).

    Args:
        parser (argparse.ArgumentParser): the tool's parser.
    """
    from mmengine.config import DictAction
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value (xxx=[a,b] for lists)')


def add_runner_args(
        parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The flags every Runner tool shares: ``--cfg-options``, ``--launcher``,
    ``--local-rank`` (call :func:`export_local_rank` on the parsed args).

    Args:
        parser (argparse.ArgumentParser): the tool's parser.

    Returns:
        argparse.ArgumentParser: ``parser``.
    """
    add_cfg_options(parser)
    parser.add_argument('--launcher',
                        choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help='set by older launchers; exported as '
                        'LOCAL_RANK when that is unset')
    return parser


def export_local_rank(args: argparse.Namespace) -> argparse.Namespace:
    """Export ``args.local_rank`` as ``LOCAL_RANK`` unless the launcher set
    it already; returns ``args``."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args
