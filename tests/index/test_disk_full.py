"""A build that runs out of disk, on a small filesystem made for the test (a tmpfs)."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.answers.pipeline import ask
from rag.index.builder import MIN_FREE_BYTES
from rag.index.engine import RECHECK_SECONDS, get_engine, reset_engines
from rag.index.indexer import ensure_index
from rag.index.store import Store

from ..conftest import ROOT, SEEDS, make_settings

QUESTION = "What did the Chinchilla paper find about compute-optimal training?"
MORE = 300  # synthetic papers added to the seeds


@pytest.fixture
def small_disk(tmp_path):
    """A 64 MB tmpfs (skipped where this process may not mount one)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    reset_engines()
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path, leave: int) -> Path:
    """A ballast file that leaves ``leave`` bytes free."""
    ballast = mount / "ballast"
    free = shutil.disk_usage(mount).free
    with open(ballast, "wb") as handle:
        handle.truncate(0)
        chunk = b"\0" * (1 << 20)
        left = free - leave
        while left > 0:
            left -= handle.write(chunk[:min(len(chunk), left)])
    return ballast


def _rag_index(settings) -> subprocess.CompletedProcess:
    env = {**os.environ, "RAG_CORPUS": str(settings.corpus), "RAG_INDEX_DIR": str(settings.index_dir)}
    return subprocess.run([sys.executable, "-m", "rag.interfaces.cli", "index"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_a_full_disk_stops_the_build_with_one_clear_error_and_the_next_run_resumes(small_disk, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = make_settings(corpus=corpus, index_dir=small_disk / "index")
    before = ensure_index(settings)
    assert ask(QUESTION, settings=settings).citations  # this process serves the index
    subprocess.run([sys.executable, "-c", "from pathlib import Path; from bench.synthetic import write_corpus; "
                    f"write_corpus(Path({str(corpus / 'more.jsonl')!r}), {MORE})"], cwd=ROOT, check=True)
    ballast = _fill(small_disk, leave=MIN_FREE_BYTES + 500_000)  # less than the new papers need

    failed = _rag_index(settings)  # runs out of disk half way
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    message = failed.stderr.strip().splitlines()[-1]
    assert str(small_disk) in message and "MB free" in message and "needs about" in message
    assert "run 'rag index' again" in message
    assert Store(settings).read_manifest()["passages_collection"] == before["passages_collection"]
    assert Store(settings).read_manifest("pending")  # the interrupted build is remembered ...
    assert ask(QUESTION, settings=settings).citations  # ... and the previous index still answers

    started = time.monotonic()
    refused = _rag_index(settings)  # still full: refused before Chroma is asked to write
    assert refused.returncode != 0 and "before the build started" in refused.stderr
    assert "Traceback" not in refused.stderr and time.monotonic() - started < 60

    ballast.unlink()
    resumed = _rag_index(settings)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Index built: {35 + MORE} papers" in resumed.stdout and " 0 from an interrupted one" not in resumed.stdout
    time.sleep(RECHECK_SECONDS + 0.1)  # the serving process notices the new build by itself
    answer = ask(QUESTION, settings=settings)
    assert answer.citations and get_engine(settings).manifest["papers"] == 35 + MORE
