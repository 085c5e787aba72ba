"""Many questions at once: the same answers as one at a time, and a server that turns away
what it cannot queue instead of failing."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from rag import ask

from .conftest import ROOT, SEEDS
from .helpers import free_port
from .ui.conftest import wait_for

QUESTIONS = [
    "What did the Chinchilla paper find about compute-optimal training?",
    "How fast does GPT-4o respond to audio inputs?",
    "What fraction of HumanEval problems does Codex solve?",
    "Which papers study scaling laws?",
    "How long should I boil an egg for a runny yolk?",
    "learned optimizers",
    "How do sparse transformers reduce attention cost?",
    "Which papers use evolution strategies for unrolled graphs?",
    "What does OpenAI Five do?",
    "precipitation nowcasting",
]


def _key(answer):
    return answer.text, [(c.doc_id, c.start, c.end) for c in answer.citations], answer.refused


def test_fifty_asks_from_sixteen_threads_match_a_sequential_run(settings, engine):
    """The concurrent run starts cold (no embedding remembered from the sequential one) and all
    sixteen threads start together; the model itself encodes one batch at a time, everything
    else (retrieval, Chroma, the checks) overlaps."""
    questions = (QUESTIONS * 5)[:50]
    sequential = {q: _key(ask(q, settings=settings)) for q in QUESTIONS}
    engine.embedder.clear_cache(corpus=True)
    start = threading.Barrier(16)
    spans: list[tuple[float, float]] = []

    def run(question):
        began = time.perf_counter()
        key = _key(ask(question, settings=settings))
        spans.append((began, time.perf_counter()))
        return question, key

    with ThreadPoolExecutor(max_workers=16, initializer=start.wait, initargs=(60,)) as pool:
        results = list(pool.map(run, questions))
    assert len(results) == 50
    for question, key in results:
        assert key == sequential[question], question
    in_flight = max(sum(1 for b, e in spans if b <= moment < e) for moment, _ in spans)
    assert in_flight >= 8  # really concurrent: at least half the threads inside ask() at once


def _post(base: str, question: str) -> int:
    request = urllib.request.Request(base + "/api/ask", data=json.dumps({"question": question}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status
    except urllib.error.HTTPError as error:
        if error.code == 503:
            assert b"busy" in error.read() and error.headers["Retry-After"] == "2"
        return error.code


def test_twenty_concurrent_requests_are_answered_or_turned_away_cleanly(engine, index_dir):
    port = free_port()
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS),
           "RAG_SERVER__CONCURRENCY": "1", "RAG_SERVER__QUEUE_SIZE": "3"}
    process = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/api/health", process)
        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(lambda i: _post(base, QUESTIONS[i % len(QUESTIONS)] + f" ({i})"), range(20)))
        assert set(statuses) <= {200, 503}
        assert 4 <= statuses.count(200) < 20  # one answering and three waiting get through at least
        assert _post(base, QUESTIONS[0]) == 200  # and the server is fine afterwards
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
