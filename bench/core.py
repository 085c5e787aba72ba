"""Seed-corpus figures: model load, index build, search and warm ``ask()`` latency."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

QUESTIONS = [
    "What did the Chinchilla paper find about compute-optimal training?",
    "Which papers use evolution strategies for unrolled graphs?",
    "How fast does GPT-4o respond to audio inputs?",
    "What fraction of HumanEval problems does Codex solve?",
    "Which papers study scaling laws?",
    "How can transformers handle long sequences efficiently?",
    "How long should I boil an egg for a runny yolk?",
    "learned optimizers",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(name: str, seconds: list[float]) -> dict[str, float]:
    """``{name}_ms_p50`` and ``{name}_ms_p95`` of ``seconds``, in milliseconds."""
    return {f"{name}_ms_p{q}": round(1000 * percentile(seconds, q / 100), 1) for q in (50, 95)}


def query_latencies(settings, repeats: int = 3) -> dict[str, float]:
    """search() and warm extractive ask() latency over QUESTIONS, each a new question (the
    embedding cache cleared), and ask() of a question asked just before."""
    from rag import ask, search
    from rag.index.embeddings import get_embedder

    ask(QUESTIONS[0], settings=settings)  # warm: engine and BM25 loaded
    embedder = get_embedder(settings.embeddings)
    search_times, ask_times, repeat_times = [], [], []
    for _ in range(repeats):
        for question in QUESTIONS:
            embedder.clear_cache()
            started = time.perf_counter()
            search(question, k=10, settings=settings)
            search_times.append(time.perf_counter() - started)
            embedder.clear_cache()
            started = time.perf_counter()
            ask(question, settings=settings)
            ask_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            ask(question, settings=settings)
            repeat_times.append(time.perf_counter() - started)
    return {**latency("search", search_times), **latency("ask_extractive", ask_times),
            "ask_repeated_question_ms_p50": latency("repeat", repeat_times)["repeat_ms_p50"]}


def run(repeats: int = 5) -> dict:
    from rag.evaluation.machine import describe_machine
    from rag.index.embeddings import get_embedder
    from rag.index.indexer import build_index
    from rag.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, corpus=Path("seeds"), index_dir=Path(folder))
        started = time.perf_counter()
        get_embedder(settings.embeddings)
        model_load = time.perf_counter() - started
        builds = []
        for _ in range(3):
            started = time.perf_counter()
            manifest = build_index(settings, fresh=True)  # embed everything each time
            builds.append(time.perf_counter() - started)
        timings = query_latencies(settings, repeats)
    return {
        "machine": describe_machine(),
        "papers": manifest["papers"],
        "passages": manifest["passage_count"],
        "model_load_s": round(model_load, 2),
        "index_build_s_median": round(statistics.median(builds), 2),
        **timings,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
