"""Helpers shared by the tests (not a test module)."""

import socket
import time

CHINCHILLA_Q = "What did the Chinchilla paper find about compute-optimal training?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 20) -> None:
    """Return once something accepts connections on ``port`` (or ``seconds`` have passed)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
