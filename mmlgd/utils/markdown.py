"""Markdown helpers shared by the benchmark and the demo report."""
from typing import Sequence


def md_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A GitHub markdown table.

    Args:
        header (Sequence[str]): column titles.
        rows (Sequence[Sequence]): one sequence of cells per row; cells are
            formatted with ``str``.

    Returns:
        str: the table, one line per row, no trailing newline.
    """
    lines = ['| ' + ' | '.join(str(c) for c in header) + ' |',
             '|' + '|'.join('---' for _ in header) + '|']
    lines += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows]
    return '\n'.join(lines)
