"""`rag ask` with a `rag serve` running on the same index: the question goes to the server."""

import json
import os
import signal
import subprocess
import sys

from ..conftest import ROOT, SEEDS
from ..helpers import free_port
from ..ui.conftest import wait_for

QUESTION = "How fast does GPT-4o respond to audio inputs?"


def run_ask(env: dict, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag", "ask", QUESTION, "--json", *extra], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_ask_uses_a_running_server_on_the_same_index_and_local_says_otherwise(engine, index_dir):
    port = free_port()
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS), "RAG_SERVER__ANNOUNCE": "true"}
    server = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # A client whose own embedding model cannot load: only the server can answer it.
    client = {**env, "RAG_EMBEDDINGS__MODEL": str(index_dir / "no-such-model")}
    try:
        wait_for(f"http://127.0.0.1:{port}/api/health", server)
        assert json.loads((index_dir / "serving.json").read_text())["url"] == f"http://127.0.0.1:{port}"
        remote = run_ask(client)
        assert remote.returncode == 0, remote.stderr
        assert "232 milliseconds" in json.loads(remote.stdout)["text"]
        local = run_ask(client, "--local")
        assert local.returncode != 0 and "no-such-model" in local.stderr and "Traceback" not in local.stderr
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert not (index_dir / "serving.json").exists()  # gone with the server
    after = run_ask(env)
    assert after.returncode == 0 and "232 milliseconds" in json.loads(after.stdout)["text"]
