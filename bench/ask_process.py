"""`rag ask` as a person runs it from the shell: wall time of the whole process, answered in the
process (`--local`: loads the embedding model) and through a running `rag serve` on the same
index. python -m bench.ask_process [--repeats N]"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .core import QUESTIONS
from .ui import _free_port


def _timed(env: dict, question: str, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rag", "ask", question, *extra], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def run(repeats: int = 5) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "RAG_INDEX_DIR": folder, "RAG_CORPUS": str(Path("seeds").resolve()),
               "RAG_SERVER__ANNOUNCE": "true"}
        subprocess.run([sys.executable, "-m", "rag", "index"], env=env, check=True, stdout=subprocess.DEVNULL)
        questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(repeats)]
        local = [_timed(env, q, "--local") for q in questions]
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            for _ in range(600):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            served = [_timed(env, q) for q in questions]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    return {"repeats": repeats,
            "local_s_p50": round(statistics.median(local), 2), "local_s_max": round(max(local), 2),
            "served_s_p50": round(statistics.median(served), 2), "served_s_max": round(max(served), 2)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    print(json.dumps(run(parser.parse_args().repeats), indent=2))
