"""RAG_SERVER__TOKEN: a real server process with a token; the API wants it as a bearer token,
the page at login, and wrong or missing credentials get nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from ..conftest import ROOT, SEEDS
from ..helpers import free_port
from .conftest import wait_for

TOKEN = "s3cret-lab-token-7f2a"
QUESTION = {"question": "What did the Chinchilla paper find about compute-optimal training?", "k": 3}


@pytest.fixture(scope="module")
def guarded(engine, index_dir, tmp_path_factory):
    """A server process with a token: its base URL and its log file."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("auth") / "server.log"
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS), "RAG_SERVER__TOKEN": TOKEN,
           "RAG_SERVER__ANNOUNCE": "false"}
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "rag.interfaces.cli", "serve", "--port", str(port)],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(f"http://127.0.0.1:{port}/api/health", process)
            yield f"http://127.0.0.1:{port}", log_path
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def call(url: str, body: bytes | None = None, headers: dict | None = None, method: str | None = None):
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def ask(base: str, authorization: str | None, body: dict = QUESTION):
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return call(base + "/api/ask", json.dumps(body).encode(), headers)


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer wrong", f"Basic {TOKEN}",
                                           f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"])
def test_the_api_without_the_right_token_is_401_and_nothing_else(guarded, authorization):
    base, _ = guarded
    status, headers, body = ask(base, authorization)
    assert status == 401 and headers.get("WWW-Authenticate") == "Bearer"
    assert set(json.loads(body)) == {"error"} and b"Chinchilla" not in body and b"citations" not in body
    status, _, body = ask(base, authorization, {"question": 7})  # a bad body says nothing either
    assert status == 401 and b"question" not in body


def test_the_api_with_the_token_answers(guarded, chinchilla):
    base, _ = guarded
    status, _, body = ask(base, f"Bearer {TOKEN}")
    assert status == 200 and json.loads(body)["citations"][0]["doc_id"] == chinchilla.id


def test_the_page_wants_a_login_and_the_token_signs_in(guarded):
    base, _ = guarded
    for path, data in [("/config", None), ("/gradio_api/info", None),
                       ("/gradio_api/call/chat", b'{"data": ["hi", "extractive", 5, [], [], 0, 0, []]}')]:
        status, _, body = call(base + path, data, {"Content-Type": "application/json"} if data else {})
        assert status == 401, path
    status, _, _ = call(base + "/login", urllib.parse.urlencode({"username": "ada", "password": "wrong"}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status in (400, 401)  # Gradio's login form answers 400 "Incorrect credentials."
    status, headers, _ = call(base + "/login", urllib.parse.urlencode({"username": "ada", "password": TOKEN}).encode(),
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    cookie = "; ".join(part.split(";", 1)[0] for part in headers.get_all("Set-Cookie") or [])
    assert cookie
    status, _, body = call(base + "/config", None, {"Cookie": cookie})
    assert status == 200 and b"components" in body


def test_the_token_is_never_logged(guarded):
    base, log_path = guarded
    ask(base, f"Bearer {TOKEN}x")
    ask(base, f"Bearer {TOKEN}")
    assert TOKEN not in Path(log_path).read_text()
