"""Fixtures for the UI tests: the real server process on a free loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from ..conftest import ROOT, SEEDS
from ..helpers import free_port

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


@pytest.fixture(scope="session")
def served(engine, index_dir):
    """A running ``ui/server`` process serving the session's index: its ``url``, ``pid`` and
    the folder Gradio would cache files in (``cache``)."""
    port = free_port()
    closed = free_port()
    cache = Path(index_dir) / "gradio-cache"
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS),
           "RAG_OPENAI__BASE_URL": f"http://127.0.0.1:{closed}/v1", "RAG_OPENAI__TIMEOUT_S": "5",
           "RAG_SERVER__LLMS": '["extractive", "openai", "injected", "latex", "slow"]', "GRADIO_TEMP_DIR": str(cache),
           "RAG_SERVER__ANNOUNCE": "false"}  # `rag ask` in other tests answers in its own process
    log = open(Path(index_dir) / "server.log", "w")
    process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "ui" / "ui_server.py"), str(port)], cwd=ROOT,
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/health", process)
        yield SimpleNamespace(url=base, pid=process.pid, cache=cache)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def server(served) -> str:
    """Base URL of the running server process."""
    return served.url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs it with apt-get install chromium")
        pytest.skip("apt-get install chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + "/")
    page.wait_for_selector("#rag-question textarea", timeout=60_000)
    yield page
    page.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


_ANSWERED = "n => document.querySelectorAll('.rag-answer, .rag-refusal, .rag-error').length > n"
_SOURCES_SHOWN = ("n => { const block = document.querySelector('#rag-ans-' + n + ':not(.rag-hidden)'); "
                  "return document.querySelectorAll('.rag-error').length > 0 || "
                  "(!!block && block.getBoundingClientRect().height > 0); }")
_TAKEN = ("n => document.querySelector('#rag-question textarea').value === '' || "
          "document.querySelectorAll('.rag-answer, .rag-refusal, .rag-error').length > n")


def ask_in_page(page, question: str, answers_before: int) -> None:
    """Type a question, send it and wait for its final (checked) answer or error, and for the
    sources panel to show that answer's sources (the panel can be drawn a moment after the chat,
    seen in a full run on a loaded machine). An Enter the page has not taken (the question still
    in the box, nothing answered, after 30 s: pressed before the page's handlers were ready, seen
    twice in full runs on a loaded machine) is pressed once more; the answer itself still has 120 s."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page.fill("#rag-question textarea", question)
    page.press("#rag-question textarea", "Enter")
    try:
        page.wait_for_function(_TAKEN, arg=answers_before, timeout=30_000)
    except PlaywrightTimeoutError:
        page.press("#rag-question textarea", "Enter")
    page.wait_for_function(_ANSWERED, arg=answers_before, timeout=120_000)
    page.wait_for_function(_SOURCES_SHOWN, arg=answers_before, timeout=30_000)

