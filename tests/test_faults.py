"""Faults: killed builds, a lost index, misbehaving model endpoints, broken corpus files."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from rag import ask
from rag.corpus import CorpusWarning, load_corpus
from rag.engine import Engine
from rag.errors import IndexMissingError, LLMUnavailableError
from rag.indexer import build_index, ensure_index
from rag.retrieval import HybridRetriever
from rag.store import BUILD_PREFIX, Store

from .conftest import ROOT, SEEDS, make_settings
from .test_llms import free_port

QUESTION = "What did the Chinchilla paper find about compute-optimal training?"


def _build_collections(index_dir) -> int:
    try:
        with sqlite3.connect(f"file:{index_dir / 'chroma.sqlite3'}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM collections WHERE name LIKE ?", (BUILD_PREFIX + "%",)).fetchone()[0]
    except sqlite3.Error:
        return 0


def test_repeatedly_killed_rebuilds_never_leave_a_wrong_index(tmp_path):
    index_dir = tmp_path / "index"
    local = make_settings(corpus=SEEDS, index_dir=index_dir)
    before = build_index(local)
    expected = [p.doc_id for p in HybridRetriever(Engine(local)).retrieve(QUESTION, 5)]
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS),
           "RAG_EMBEDDINGS__BATCH_SIZE": "1"}
    for delay in (0.0, 0.4, 1.2):  # right after the staging build appears, and later
        process = subprocess.Popen([sys.executable, "-m", "rag", "index", "--rebuild"], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while _build_collections(index_dir) < 4 and time.time() < deadline and process.poll() is None:
            time.sleep(0.02)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert Store(local).read_manifest() == before, delay
        assert [p.doc_id for p in HybridRetriever(Engine(local)).retrieve(QUESTION, 5)] == expected
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


@pytest.fixture(params=["slow", "garbage"])
def bad_endpoint(request):
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fake_openai_server.py"), str(port), request.param])
    time.sleep(1.0)
    yield f"http://127.0.0.1:{port}/v1"
    server.kill()
    server.wait()


def test_misbehaving_endpoint_fails_clearly_in_bounded_time_or_falls_back(settings, bad_endpoint, chinchilla):
    openai = settings.openai.model_copy(update={"base_url": bad_endpoint, "timeout_s": 3})
    strict = settings.model_copy(update={"openai": openai})
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
