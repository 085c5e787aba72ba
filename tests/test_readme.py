"""The README's examples run as written."""

import os
import re
import signal
import subprocess
import sys
import urllib.request

from .conftest import ROOT, SEEDS

SERVED = "http://127.0.0.1:7860"
"""Examples that talk to a running server; they run against the one run.sh starts below."""


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)


def test_python_examples_run(engine, index_dir):
    blocks = [block for block in python_blocks() if SERVED not in block]
    assert len(blocks) >= 3
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS)}
    for block in blocks:
        result = subprocess.run([sys.executable, "-c", block], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{block}\n{result.stderr[-2000:]}"


def test_run_script_serves_the_chat_page(engine, index_dir, tmp_path):
    from .helpers import free_port
    from .ui.conftest import wait_for

    port = free_port()
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS), "RAG_PORT": str(port)}
    log = open(tmp_path / "run.log", "w+")
    process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/", process, seconds=600)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200 and b"Ask the ML abstracts" in response.read()
        client_blocks = [block for block in python_blocks() if SERVED in block]
        assert client_blocks
        for block in client_blocks:
            result = subprocess.run([sys.executable, "-c", block.replace(SERVED, f"http://127.0.0.1:{port}")],
                                    cwd=ROOT, capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, f"{block}\n{result.stderr[-2000:]}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    log.seek(0)
    output = log.read()
    assert "Index up to date: 35 papers" in output
    assert f"Serving the chat page on http://127.0.0.1:{port}/" in output


def test_every_test_security_md_cites_exists():
    import re

    text = (ROOT / "SECURITY.md").read_text()
    cited = 0
    for row in (line for line in text.splitlines() if line.startswith("| ")):
        current = None
        for match in re.finditer(r"`(tests/[\w/]+\.py)?(::[\w*]+)?`", row):
            current = match.group(1) or current
            assert current and (ROOT / current).exists(), f"SECURITY.md cites a missing file: {row[:80]}"
            if match.group(2):
                pattern = match.group(2)[2:].replace("*", r"\w*")
                assert re.search(rf"def {pattern}\b", (ROOT / current).read_text()), f"{current}{match.group(2)}"
                cited += 1
    assert cited >= 20
