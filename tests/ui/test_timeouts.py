"""Slow and greedy clients against a real ``rag serve`` process with short limits: half-open
connections are closed, slow bodies get a 408, and past the connection limit a 503."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from ..conftest import ROOT, SEEDS
from ..helpers import free_port
from .conftest import wait_for

HEADER_TIMEOUT = 2
BODY_TIMEOUT = 2
MAX_CONNECTIONS = 50


@pytest.fixture(scope="module")
def strict_server(engine, index_dir):
    port = free_port()
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS),
           "RAG_SERVER__HEADER_TIMEOUT_S": str(HEADER_TIMEOUT), "RAG_SERVER__BODY_TIMEOUT_S": str(BODY_TIMEOUT),
           "RAG_SERVER__MAX_CONNECTIONS": str(MAX_CONNECTIONS)}
    process = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/health", process)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _status(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _half_open(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # headers never end
        sockets.append(s)
    return sockets


def _closed_by_server(s: socket.socket) -> bool:
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, socket.timeout):
        return False


def test_half_open_connections_are_closed_after_the_header_timeout(strict_server):
    started = time.monotonic()
    sockets = _half_open(strict_server, 300)
    try:
        assert _status(strict_server) == 503  # past the connection limit meanwhile, refused at once
        for s in sockets:
            s.settimeout(max(0.1, HEADER_TIMEOUT + 5 - (time.monotonic() - started)))
        closed = sum(_closed_by_server(s) for s in sockets)
        elapsed = time.monotonic() - started
    finally:
        for s in sockets:
            s.close()
    assert closed == 300
    assert elapsed < HEADER_TIMEOUT + 5
    assert _status(strict_server) == 200


def test_a_body_that_does_not_arrive_gets_a_408(strict_server):
    with socket.create_connection(("127.0.0.1", strict_server), timeout=BODY_TIMEOUT + 10) as s:
        s.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{\"question\": ")
        started = time.monotonic()
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 408")
    assert BODY_TIMEOUT - 0.5 < time.monotonic() - started < BODY_TIMEOUT + 5
