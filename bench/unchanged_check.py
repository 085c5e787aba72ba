"""The cost of checking an unchanged corpus against the live index: with the corpus files'
stamps (nothing read) and with ``verify`` (every paper read and hashed, what every check cost
before the stamps). Run it on an index built by ``bench.scale --workdir``:

    python -m bench.unchanged_check --corpus /tmp/scale10k/corpus-10000.jsonl \\
        --index-dir /tmp/scale10k/index-10000 --backend onnx-int8
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path


def run(corpus: Path, index_dir: Path, backend: str, repeats: int = 3) -> dict:
    from rag.index.indexer import ensure_index
    from rag.settings import EmbeddingSettings, Settings

    settings = Settings(_env_file=None, corpus=corpus, index_dir=index_dir,
                        embeddings=EmbeddingSettings(backend=backend))
    ensure_index(settings)  # up to date, stamps current
    result = {}
    for name, verify in (("stamps_s_p50", False), ("verify_s_p50", True)):
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            ensure_index(settings, verify=verify)
            times.append(time.perf_counter() - started)
        result[name] = round(statistics.median(times), 3)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    args = parser.parse_args()
    print(json.dumps(run(args.corpus, args.index_dir, args.backend), indent=2))
