"""A new process's first answer on an existing index, and what serving it holds in memory.

    python -m bench.cold_start --corpus /tmp/scale10k/corpus-10000.jsonl \\
        --index-dir /tmp/scale10k/index-10000 --backend onnx-int8 [--repeats 3]

Each repeat starts a fresh Python process that asks one question, step by step, and reports
the seconds and the resident memory (VmRSS) after each step: imports, the index check
(``ensure_index``), the embedding model, the serving files (passage table, BM25, vocabulary),
the first answer (Chroma loads its HNSW index here), then ten more answers. The first run
after a build writes missing serving files; it is reported apart (``first_run``) and left out
of the medians. The page cache is warm (the files were just used), as for a restarted server.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTIONS = ["What is proposed for graph neural networks?", "Which papers study reinforcement learning?",
             "How is the transformer trained?", "What does the model achieve on benchmarks?"]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def child(corpus: Path, index_dir: Path, backend: str, started: float) -> dict:
    """One new process's steps (``started``: the parent's clock when it spawned this one)."""
    steps: dict[str, dict] = {}

    def step(name: str, since: float) -> float:
        now = time.time()
        steps[name] = {"s": round(now - since, 3), "rss_mb": _rss_mb()}
        return now

    t = step("python_start", started)
    from rag.answers.pipeline import ask
    from rag.index.embeddings import get_embedder
    from rag.index.engine import get_engine
    from rag.index.indexer import ensure_index
    from rag.settings import EmbeddingSettings, Settings

    t = step("imports", t)
    settings = Settings(_env_file=None, corpus=corpus, index_dir=index_dir, embeddings=EmbeddingSettings(backend=backend))
    ensure_index(settings)
    t = step("index_check", t)
    get_embedder(settings.embeddings).encode_one("warm up")
    t = step("embedding_model", t)
    engine = get_engine(settings)  # the index check again (stamps: milliseconds), then the serving files
    t = step("serving_files", t)
    ask(QUESTIONS[0], settings=settings)
    t = step("first_answer", t)
    for question in QUESTIONS[1:] * 3:
        ask(question, settings=settings)
    step("ten_more_answers", t)
    return {"first_answer_s": round(sum(s["s"] for k, s in steps.items() if k != "ten_more_answers"), 3),
            "passages": len(engine.rows), "steps": steps}


def run(corpus: Path, index_dir: Path, backend: str, repeats: int) -> dict:
    runs = []
    for _ in range(repeats + 1):
        out = subprocess.run([sys.executable, "-m", "bench.cold_start", "--child", str(time.time()),
                              "--corpus", str(corpus), "--index-dir", str(index_dir), "--backend", backend],
                             stdout=subprocess.PIPE, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    measured = runs[1:]
    steps = {name: {"s_p50": statistics.median(r["steps"][name]["s"] for r in measured),
                    "rss_mb_p50": statistics.median(r["steps"][name]["rss_mb"] for r in measured)}
             for name in measured[0]["steps"]}
    return {"corpus": str(corpus), "backend": backend, "passages": measured[0]["passages"], "repeats": repeats,
            "first_answer_s_p50": statistics.median(r["first_answer_s"] for r in measured),
            "first_answer_s_max": max(r["first_answer_s"] for r in measured),
            "steps": steps, "first_run": runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.corpus, args.index_dir, args.backend, args.child)))
    else:
        print(json.dumps(run(args.corpus, args.index_dir, args.backend, args.repeats), indent=1))


if __name__ == "__main__":
    main()
