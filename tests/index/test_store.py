"""The index on a real Chroma server (HttpClient), started as its own process."""

import shutil
import time

import pytest

from rag import ask, search
from rag.errors import StoreUnavailableError
from rag.index.engine import RECHECK_SECONDS, Engine
from rag.index.indexer import ensure_index
from rag.index.store import Store

from ..conftest import SEEDS, make_settings
from ..helpers import chroma_server as running_chroma
from ..helpers import free_port


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    with running_chroma(tmp_path_factory.mktemp("chroma")) as url:
        yield url


def test_index_and_ask_through_a_chroma_server(chroma_server, tmp_path, chinchilla):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = make_settings(corpus=corpus, index_dir=tmp_path / "unused", chroma_url=chroma_server,
                             embeddings={"cache_dir": tmp_path / "cache"})
    manifest = ensure_index(settings)
    assert manifest["papers"] == 35
    assert not (tmp_path / "unused").exists()  # no index written locally ...
    port = chroma_server.rsplit(":", 1)[1]
    cached = tmp_path / "cache" / "serving_files" / f"127.0.0.1-{port}"
    assert [p.name for p in cached.iterdir()] == [manifest["serving_files"]]  # ... only this machine's serving files
    assert Store(settings).read_manifest() == manifest
    assert ensure_index(settings) == manifest  # a second app process finds it up to date
    answer = ask("What did the Chinchilla paper find about compute-optimal training?", settings=settings)
    assert answer.citations[0].doc_id == chinchilla.id
    assert len(Engine(settings).rows) == manifest["passage_count"]  # BM25 rebuilt from the server
    (corpus / "more.jsonl").write_text('{"id": "n1", "title": "Cats", "abstract": "Cats purr. Cats nap."}\n')
    updated = ensure_index(settings)  # an incremental update on the server
    assert (updated["papers"], updated["embedded"], updated["reused"]) == (36, 1, 35)
    # a running app follows at once: its old build is gone, so it loads the new one and retries
    assert search("why do cats purr", k=1, settings=settings)[0].doc_id == "n1"
    (corpus / "more.jsonl").unlink()
    ensure_index(settings)
    time.sleep(RECHECK_SECONDS + 0.1)  # ... and notices a new build by itself within seconds
    assert search("why do cats purr", k=1, settings=settings)[0].doc_id != "n1"


def test_unreachable_server_is_a_clear_error(tmp_path):
    settings = make_settings(corpus=SEEDS, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailableError, match="chroma run"):
        ensure_index(settings)
