"""The whole pipeline (index, search, ask with the extractive backend) in a process whose
network namespace has nothing but loopback: proof that it needs no network at all."""

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT, SEEDS

SCRIPT = """
import socket
try:
    socket.create_connection(("1.1.1.1", 443), timeout=2)
    raise SystemExit("the network is reachable: this test proves nothing")
except OSError:
    pass
from rag import Settings, ask, build_index, search
settings = Settings(_env_file=None)
manifest = build_index(settings)
assert manifest["papers"] == 35, manifest
assert search("compute-optimal training", k=3, settings=settings)
answer = ask("What did the Chinchilla paper find about compute-optimal training?", settings=settings)
assert answer.citations and not answer.refused, answer
print("OFFLINE-OK", manifest["papers"], len(answer.citations))
"""


def test_pipeline_runs_with_no_network_but_loopback(tmp_path):
    unshare = shutil.which("unshare")
    probe = subprocess.run([unshare or "unshare", "-n", "true"], capture_output=True) if unshare else None
    if probe is None or probe.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail("unshare -n is needed (util-linux, run as root) to block the network")
        pytest.skip("cannot create a network namespace here")
    env = {**os.environ, "RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_CORPUS": str(SEEDS),
           "HOME": str(tmp_path)}  # no cached downloads of anything either
    env.pop("RAG_EMBEDDINGS__BACKEND", None)
    result = subprocess.run([unshare, "-n", "sh", "-c", 'ip link set lo up 2>/dev/null; exec "$0" -c "$1"',
                             sys.executable, SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "OFFLINE-OK 35" in result.stdout
