"""Helpers shared by the tests (not a test module)."""

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHINCHILLA_Q = "What did the Chinchilla paper find about compute-optimal training?"


def model_writes_every_answer(settings):
    """``settings`` with no kind of question left to the extractive composer (``answer.extractive_kinds``)."""
    return settings.model_copy(update={"answer": settings.answer.model_copy(update={"extractive_kinds": ()})})


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


def start_chroma(path: Path, port: int) -> subprocess.Popen:
    """A real ``chroma run`` server process storing in ``path``, accepting on ``port``."""
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    process = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, 60)
    return process


@contextmanager
def chroma_server(path: Path):
    """:func:`start_chroma` on a free port; yields its URL and stops it afterwards."""
    port = free_port()
    process = start_chroma(path, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def post_ask(server: str, body, raw: bytes | None = None) -> tuple[int, dict]:
    """POST ``body`` (or ``raw`` bytes) to ``server``'s ``/api/ask``; the status and the JSON reply."""
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(server + "/api/ask", data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
