"""Two ``rag serve`` processes on one ``chroma run`` server: the same answers before, during and
after a build embedded on a Ray cluster, a clear 503 while the Chroma server is down, and answers
again once it is back, without restarting them."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from rag.index.engine import RECHECK_SECONDS
from rag.index.indexer import ensure_index

from ..conftest import ROOT, SEEDS, make_settings
from ..helpers import free_port, post_ask, start_chroma
from ..ui.conftest import wait_for

ray = pytest.importorskip("ray", reason="the 'ray' extra is not installed")
QUESTION = "How fast does GPT-4o respond to audio inputs?"


def _ask(port: int) -> tuple[int, dict]:
    return post_ask(f"http://127.0.0.1:{port}", {"question": QUESTION})


def _said(body: dict) -> tuple:
    return body["text"], [(c["doc_id"], c["start"], c["end"]) for c in body["citations"]]


def test_two_servers_answer_alike_through_a_ray_build_and_a_chroma_outage(ray_cluster, tmp_path):
    from bench.synthetic import write_corpus

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    chroma_port = free_port()
    chroma = start_chroma(tmp_path / "chroma", chroma_port)
    url = f"http://127.0.0.1:{chroma_port}"
    settings = make_settings(corpus=corpus, chroma_url=url, embeddings={"cache_dir": tmp_path / "cache"})
    ensure_index(settings)
    env = {**os.environ, "RAG_CHROMA_URL": url, "RAG_CORPUS": str(corpus),
           "RAG_EMBEDDINGS__CACHE_DIR": str(tmp_path / "cache"), "RAG_INDEX_DIR": str(tmp_path / "unused")}
    ports = [free_port(), free_port()]
    servers = [subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(p)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
               for p in ports]
    try:
        for port, server in zip(ports, servers):
            wait_for(f"http://127.0.0.1:{port}/api/health", server)
        first = [_ask(p) for p in ports]
        assert [status for status, _ in first] == [200, 200]
        before = _said(first[0][1])
        assert _said(first[1][1]) == before and "232 milliseconds" in before[0]

        write_corpus(corpus / "more.jsonl", 30)  # an update, embedded on Ray (the session's head and a worker)
        on_ray = settings.model_copy(update={"index": settings.index.model_copy(
            update={"ray_address": ray_cluster[0].address})})
        build = threading.Thread(target=ensure_index, args=(on_ray,))
        build.start()
        during = []
        while build.is_alive():
            during += [_ask(p) for p in ports]
        build.join()
        time.sleep(RECHECK_SECONDS + 0.5)  # each server notices the new build by itself
        last = [_ask(p) for p in ports]
        assert [status for status, _ in last] == [200, 200]
        after = _said(last[0][1])
        assert _said(last[1][1]) == after
        assert len(during) >= 4 and all(status == 200 and _said(body) in (before, after) for status, body in during)

        chroma.terminate()
        chroma.wait(timeout=30)
        for status, body in (_ask(p) for p in ports):
            assert status == 503
            assert f"The index server at {url} is unreachable" in body["error"] and "Traceback" not in body["error"]
        chroma = start_chroma(tmp_path / "chroma", chroma_port)
        back = [_ask(p) for p in ports]
        assert [(status, _said(body)) for status, body in back] == [(200, after), (200, after)]
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            _, errors = server.communicate(timeout=30)
            assert b"Traceback" not in errors, errors.decode(errors="replace")[-2000:]
        chroma.terminate()
