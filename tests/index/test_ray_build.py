"""``rag index --ray``: the passages embedded on a real Ray cluster (a head node and a worker node,
one CPU each, as processes on this machine), written to a real ``chroma run`` server, compared
with a local build of the same corpus."""

import json
import shutil
import threading
import time

import numpy as np
import pytest

from rag import search
from rag.corpus.chunking import chunk_paper
from rag.corpus.reader import load_corpus
from rag.index.embeddings import get_embedder
from rag.index.indexer import ensure_index
from rag.index.store import Store

from ..conftest import ROOT, SEEDS, make_settings
from ..helpers import chroma_server

ray = pytest.importorskip("ray", reason="the 'ray' extra is not installed")


SYNTHETIC = 30  # papers added to the seeds


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from bench.synthetic import write_corpus

    folder = tmp_path_factory.mktemp("ray-corpus")
    for seed_file in SEEDS.iterdir():
        shutil.copy(seed_file, folder)
    write_corpus(folder / "synthetic.jsonl", SYNTHETIC)
    return folder


# float32 on both sides: bfloat16 vectors (the default on CPUs with native bf16) depend on 1e-4 on how
# texts are batched, which can swap two near-tied passages of one paper in a ranking
EXACT = {"bulk_precision": "float32"}


@pytest.fixture(scope="module")
def local_build(corpus, tmp_path_factory):
    settings = make_settings(corpus=corpus, index_dir=tmp_path_factory.mktemp("local-index"), embeddings=EXACT)
    return settings, ensure_index(settings)


def _records(settings, manifest) -> dict:
    got = Store(settings).collection(manifest["passages_collection"]).get(include=["metadatas", "embeddings"])
    return {i: (m, np.asarray(e, np.float32)) for i, m, e in zip(got["ids"], got["metadatas"], got["embeddings"])}


def _questions() -> list[str]:
    """Every third labelled question (about 120 of them)."""
    lines = (ROOT / "evals" / "data" / "queries.jsonl").read_text().splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()][::3]


def test_a_build_on_ray_into_a_chroma_server_equals_a_local_build(ray_cluster, corpus, local_build, tmp_path):
    local, local_manifest = local_build
    with chroma_server(tmp_path / "chroma") as url:
        settings = make_settings(corpus=corpus, chroma_url=url, index={"ray_address": ray_cluster[0].address},
                                 embeddings={**EXACT, "cache_dir": tmp_path / "cache"})
        manifest = ensure_index(settings)
        assert manifest["embedded"] == local_manifest["embedded"] == local_manifest["papers"] == 35 + SYNTHETIC
        on_ray, here = _records(settings, manifest), _records(local, local_manifest)
        assert on_ray.keys() == here.keys()
        for pid, (metadata, vector) in on_ray.items():
            assert metadata == here[pid][0]
            assert float(vector @ here[pid][1]) > 1 - 1e-4, pid
        ids = sorted(here)
        mine, theirs = np.stack([on_ray[i][1] for i in ids]), np.stack([here[i][1] for i in ids])
        questions = _questions()
        asked = get_embedder(local.embeddings).encode(questions)
        for question, vector in zip(questions, asked):  # exact nearest neighbours: the same ten
            assert np.array_equal(np.argsort(-(mine @ vector))[:10], np.argsort(-(theirs @ vector))[:10]), question
        same = sum([p.passage_id for p in search(q, k=10, settings=settings)]
                   == [p.passage_id for p in search(q, k=10, settings=local)] for q in questions)
        # Chroma's HNSW search is approximate and its graph depends on the writes: a few rankings
        # may take one candidate more or less (4 of 266 when this was written)
        assert same >= 0.97 * len(questions), (same, len(questions))


def test_a_build_whose_worker_node_dies_completes_while_the_previous_index_answers(ray_cluster, tmp_path):
    import psutil  # comes with ray

    from bench.synthetic import write_corpus

    started, worker = ray_cluster
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    # chunks of 64 passages (batch_size × 4): several per node, so the node dies with work left
    plain = make_settings(corpus=corpus, index_dir=tmp_path / "index", embeddings={**EXACT, "batch_size": 16})
    ensure_index(plain)  # the previous index: the seed papers
    question = "What did the Chinchilla paper find about compute-optimal training?"
    before = [p.passage_id for p in search(question, k=3, settings=plain)]
    write_corpus(corpus / "synthetic.jsonl", 90)
    settings = plain.model_copy(update={"index": plain.index.model_copy(update={"ray_address": started.address})})
    raylet = psutil.Process(worker.all_processes["raylet"][0].process.pid)
    killed, killed_at, built = threading.Event(), [], []

    def embedding_on_the_worker() -> bool:
        try:
            return any("EmbedActor" in " ".join(p.cmdline()) for p in raylet.children(recursive=True))
        except psutil.Error:
            return False

    def kill_the_worker_once_it_embeds() -> None:
        deadline = time.time() + 120
        while time.time() < deadline:
            if embedding_on_the_worker():
                time.sleep(3)  # its model loaded, batches under way
                started.remove_node(worker)
                killed_at.append(time.time())
                killed.set()
                return
            time.sleep(0.2)

    killer = threading.Thread(target=kill_the_worker_once_it_embeds, daemon=True)
    build = threading.Thread(target=lambda: built.append(ensure_index(settings)))
    killer.start()
    build.start()
    answered = []
    while build.is_alive():  # the loaded index answers throughout (and follows the switch)
        answered.append([p.passage_id for p in search(question, k=3, settings=plain)])
        time.sleep(0.2)
    finished = time.time()
    killer.join(timeout=5)
    assert killed.is_set(), "the worker node never ran an embedding actor"
    assert killed_at[0] < finished - 1, "the worker node died after the build had ended"
    assert len([n for n in ray.nodes() if n["Alive"]]) == 1
    after = [p.passage_id for p in search(question, k=3, settings=plain)]
    assert len(answered) >= 5 and all(ids in (before, after) for ids in answered)
    assert answered.count(before) >= 3  # most of the build ran with the previous index live
    passages = {chunk.id for paper in load_corpus(corpus) for chunk in chunk_paper(paper, plain.passages)}
    assert built[0]["passage_count"] == len(passages)  # every passage embedded once, none lost
    assert _records(settings, built[0]).keys() == passages


def test_rag_index_with_an_unreachable_cluster_says_so_at_once(tmp_path):
    import subprocess
    import sys

    from ..helpers import free_port

    address = f"127.0.0.1:{free_port()}"
    started = time.time()
    done = subprocess.run([sys.executable, "-m", "rag", "index", "--ray", address, "--index-dir", str(tmp_path / "i"),
                           "--corpus", str(SEEDS)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode != 0 and time.time() - started < 60
    assert f"Cannot join the Ray cluster at '{address}'" in done.stderr and "ray start --head" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_ray_build_whose_driver_is_killed_resumes_on_the_next_run(ray_cluster, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from bench.synthetic import write_corpus

    corpus = write_corpus(tmp_path / "corpus.jsonl", 40)
    env = {**os.environ, "RAG_INDEX__RAY_STEP_PAPERS": "10", "RAG_INDEX_DIR": str(tmp_path / "index"),
           "RAG_CORPUS": str(corpus), "RAG_EMBEDDINGS__BULK_PRECISION": "float32"}
    command = [sys.executable, "-m", "rag", "index", "--ray", ray_cluster[0].address]
    driver = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)
    seen = ""
    while driver.poll() is None and " 30/40 " not in seen:  # tqdm: three steps of 10 papers embedded,
        seen += driver.stderr.read(1)                          # the first two surely written
    os.killpg(driver.pid, signal.SIGKILL)
    driver.wait(timeout=30)
    again = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    resumed = int(again.stdout.split(" from an interrupted one")[0].rsplit(" ", 1)[1])
    assert 20 <= resumed < 40
    assert "Index built: 40 papers" in again.stdout
