"""The README's examples run as written."""

import os
import re
import subprocess
import sys

from .conftest import ROOT, SEEDS


def test_python_examples_run(engine, index_dir):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert len(blocks) >= 3
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS)}
    for block in blocks:
        result = subprocess.run([sys.executable, "-c", block], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{block}\n{result.stderr[-2000:]}"


def test_run_script_answers_with_citations(engine, index_dir):
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS)}
    result = subprocess.run(["bash", "scripts/run.sh"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Index up to date: 35 papers" in result.stdout
    assert "Sources:\n  [1]" in result.stdout
