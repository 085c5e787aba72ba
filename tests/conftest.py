"""Shared fixtures: the real seed files, the real embedding model and a real Chroma index
built once per test session in a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

# Tests must not depend on the developer's environment or .env file.
for _name in [n for n in os.environ if n.startswith("RAG_")]:
    del os.environ[_name]
# Servers started by tests do not take over `rag ask` in other tests (tests/interfaces/test_remote.py
# turns it on for its own server).
os.environ["RAG_SERVER__ANNOUNCE"] = "false"


def make_settings(**values):
    from rag.settings import Settings

    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session", autouse=True)
def fake_llm():
    """The test-only ``fake`` backend (the product never registers it)."""
    from rag.answers.backends import register
    from rag.plugins.fake import fake_backend

    register("fake", fake_backend, description="FOR TESTS ONLY: a deterministic fake model.")


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("index")


@pytest.fixture(scope="session")
def settings(index_dir):
    """Settings for the session's index of the seed corpus."""
    return make_settings(corpus=SEEDS, index_dir=index_dir)


@pytest.fixture(scope="session")
def ray_head():
    """A Ray head node (one CPU) started once for the session, shared by the tests that build on Ray
    (each adds and removes the worker nodes it needs: see ``ray_cluster``)."""
    ray = pytest.importorskip("ray", reason="the 'ray' extra is not installed")
    from ray.cluster_utils import Cluster

    started = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    yield started
    ray.shutdown()
    started.shutdown()


@pytest.fixture()
def ray_cluster(ray_head):
    """The session's head node and a worker node (one CPU), removed after the test if still there."""
    worker = ray_head.add_node(num_cpus=1)
    ray_head.wait_for_nodes()
    yield ray_head, worker
    if any(node is worker for node in ray_head.worker_nodes):
        ray_head.remove_node(worker)


@pytest.fixture(scope="session")
def engine(settings):
    from rag.index.engine import get_engine

    return get_engine(settings)


@pytest.fixture(scope="session")
def papers():
    from rag.corpus.reader import load_corpus

    return load_corpus(SEEDS)


def find_paper(papers, phrase: str):
    """The one paper whose abstract contains ``phrase``."""
    found = [p for p in papers if phrase in p.abstract]
    assert len(found) == 1, f"{len(found)} papers contain {phrase!r}"
    return found[0]


@pytest.fixture(scope="session")
def chinchilla(papers):
    return find_paper(papers, "compute-optimal model")
