"""Small helpers shared across mmlgd and its tools."""
from .fileio import (
    atomic_open,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    check_output_dir,
)

__all__ = [
    'atomic_open', 'atomic_write_bytes', 'atomic_write_text',
    'atomic_write_json', 'check_output_dir'
]
