"""Chat page latency as a person sees it: time to the first streamed piece and to the final,
checked answer, through Gradio's own API against a real server process (extractive backend)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .core import QUESTIONS, latency


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(repeats: int = 1) -> dict:
    from gradio_client import Client

    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "RAG_INDEX_DIR": folder, "RAG_CORPUS": str(Path("seeds").resolve())}
        server = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(600):
                try:
                    urllib.request.urlopen(base + "/api/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            client = Client(base + "/", verbose=False)
            first, full = [], []
            for _ in range(repeats):
                for question in QUESTIONS:
                    started = time.perf_counter()
                    job = client.submit(question, [], "extractive", 5, [], [], 0, 0, api_name="/chat")
                    seen_first = None
                    for messages, _sources, _box in job:
                        text = str(messages[-1]["content"]) if messages else ""
                        if seen_first is None and messages and "…" not in text:
                            seen_first = time.perf_counter() - started
                    full.append(time.perf_counter() - started)
                    first.append(seen_first if seen_first is not None else full[-1])
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
    return {**latency("first_piece", first), **latency("full_answer", full)}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
