"""Faults: killed builds, a lost index, misbehaving model endpoints, broken corpus files."""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from rag import ask, get_llm
from rag.corpus.reader import CorpusWarning, load_corpus
from rag.errors import IndexMissingError, LLMUnavailableError
from rag.index.engine import Engine
from rag.index.indexer import build_index, ensure_index
from rag.index.store import BUILD_PREFIX, Store
from rag.retrieval.hybrid import HybridRetriever

from .conftest import ROOT, SEEDS, make_settings
from .helpers import free_port, wait_for_port

QUESTION = "What did the Chinchilla paper find about compute-optimal training?"


def _stored(index_dir) -> dict[str, int]:
    """Records per collection, read from Chroma's database file."""
    with sqlite3.connect(f"file:{index_dir / 'chroma.sqlite3'}?mode=ro", uri=True) as db:
        return dict(db.execute(
            "SELECT c.name, count(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id "
            "JOIN collections c ON s.collection = c.id GROUP BY c.name").fetchall())


def _killed_at(point: str, index_dir, tmp_path) -> None:
    """Run a rebuild that waits at ``point`` and SIGKILL it there (it must still be alive)."""
    marker = tmp_path / f"at-{point}"
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS)}
    process = subprocess.Popen([sys.executable, str(ROOT / "tests" / "build_paused.py"), point, str(marker)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    while not marker.exists() and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), f"the build never reached {point}"
    assert process.poll() is None, "the build had already stopped"  # alive when the kill lands
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL


def test_builds_killed_at_three_points_never_leave_a_wrong_index(tmp_path):
    index_dir = tmp_path / "index"
    local = make_settings(corpus=SEEDS, index_dir=index_dir)
    before = build_index(local)
    expected = [p.doc_id for p in HybridRetriever(Engine(local)).retrieve(QUESTION, 5)]
    live = {before["passages_collection"], before["papers_collection"]}
    for point in ("staging", "passages", "switch"):
        _killed_at(point, index_dir, tmp_path)
        staged = {name: n for name, n in _stored(index_dir).items() if name.startswith(BUILD_PREFIX) and name not in live}
        staged_passages = sum(n for name, n in staged.items() if name.endswith("_passages"))
        if point == "staging":
            assert staged_passages == 0
        elif point == "passages":
            assert 0 < staged_passages < before["passage_count"]  # killed between two written steps
        else:
            assert staged_passages == before["passage_count"]  # all written, the switch never came
        assert Store(local).read_manifest() == before, point
        assert [p.doc_id for p in HybridRetriever(Engine(local)).retrieve(QUESTION, 5)] == expected, point
    resumed = build_index(local)  # not a fresh build: the interrupted one is picked up
    assert resumed["resumed"] == 35 and resumed["embedded"] == 0
    after = ensure_index(local, rebuild=True)
    builds = {n for n in Store(local).collection_names() if n.startswith(BUILD_PREFIX)}
    assert builds == {after["passages_collection"], after["papers_collection"]}


def test_missing_index_folder_is_rebuilt_or_a_clear_error(tmp_path):
    local = make_settings(corpus=SEEDS, index_dir=tmp_path / "index")
    build_index(local)
    shutil.rmtree(tmp_path / "index")
    with pytest.raises(IndexMissingError, match="rag index"):
        ensure_index(local.model_copy(update={"auto_build": False}))
    assert ensure_index(local)["papers"] == 35


def _raw_reply(port: int, timeout: float) -> bytes | None:
    """What the endpoint sends back to a chat request within ``timeout`` (None: nothing)."""
    body = b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        s.settimeout(timeout)
        reply = b""
        try:
            while chunk := s.recv(65536):  # the server closes the connection after its reply
                reply += chunk
        except socket.timeout:
            pass
        return reply or None


@pytest.fixture(params=["slow", "garbage"])
def bad_endpoint(request):
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fake_openai_server.py"), str(port), request.param])
    wait_for_port(port)
    reply = _raw_reply(port, timeout=4)
    if request.param == "slow":
        assert reply is None  # up, and silent past the backend's 3 s timeout
    else:
        assert reply.startswith(b"HTTP/1.0 200") and b"502 upstream" in reply  # up, and not the API's JSON
    yield f"http://127.0.0.1:{port}/v1"
    server.kill()
    server.wait()


def test_misbehaving_endpoint_fails_clearly_in_bounded_time_or_falls_back(settings, bad_endpoint, chinchilla):
    openai = settings.openai.model_copy(update={"base_url": bad_endpoint, "timeout_s": 3})
    strict = settings.model_copy(update={"openai": openai})
    get_llm("openai", strict)  # the client library is imported before the clock starts (in any test order)
    started = time.time()
    with pytest.raises(LLMUnavailableError) as raised:
        ask(QUESTION, llm="openai", settings=strict)
    assert time.time() - started < 15
    assert bad_endpoint in str(raised.value)
    lenient = strict.model_copy(update={"answer": settings.answer.model_copy(update={"on_llm_error": "extractive"})})
    answer = ask(QUESTION, llm="openai", settings=lenient)
    assert answer.llm == "extractive" and answer.citations[0].doc_id == chinchilla.id
    assert any("Answered extractively instead" in note for note in answer.notes)


def test_broken_corpus_files_are_skipped_or_loaded_as_far_as_valid(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    with open(corpus / "huge.jsonl", "w") as handle:  # 50 MB on one line, no valid JSON
        handle.write('{"id": "x", "abstract": "' + "a" * 50_000_000)
    listing = (SEEDS / "004_e29358177b525bae.txt").read_text()
    cut = listing.index("Backprop Evolution") + len("Backprop Evolution\n\narXiv.org Machine Learning\n")
    (corpus / "truncated.txt").write_text(listing[:cut])  # ends after a record's venue line
    (corpus / "cut.jsonl").write_text('{"id": "ok", "abstract": "A complete line. Fine."}\n{"id": "cut", "abstr')
    with pytest.warns(CorpusWarning) as caught:
        papers = load_corpus(corpus)
    messages = [str(w.message) for w in caught]
    assert any("huge.jsonl" in m and "line 1" in m for m in messages)
    assert any("cut.jsonl" in m and "line 2" in m for m in messages)
    assert any("truncated.txt" in m and "no abstract" in m for m in messages)
    ids = {p.id for p in papers}
    assert "ok" in ids and len(papers) == 36  # 35 seeds (the truncated copy adds none) + "ok"
    index = make_settings(corpus=corpus, index_dir=tmp_path / "index")
    with pytest.warns(CorpusWarning):
        assert ensure_index(index)["papers"] == 36
