"""A free TCP port for the multi-process tests (torchrun's
``--master-port`` / ``MASTER_PORT``); the ``free_port`` fixture of
``conftest.py`` wraps it."""
import socket


def find_free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]
