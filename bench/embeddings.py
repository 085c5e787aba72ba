"""Embedding speed of each backend on the same passages, side by side in one run:
sentence-transformers torch fp32 (the default path), ONNX fp32 and ONNX int8.

    python -m bench.embeddings [--papers 300]
    python -m bench.embeddings --bulk [--papers 500] [--rounds 2]

``--bulk``: the encoders ``rag index`` can use (PyTorch in float32 and bfloat16, OpenVINO in
bfloat16), warm, taking turns for ``--rounds`` rounds, with each one's smallest cosine to the
float32 reference vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from rag.corpus.chunking import chunk_paper
from rag.corpus.reader import iter_corpus
from rag.index.builder import embedding_text
from rag.index.embeddings import get_bulk_embedder, get_embedder
from rag.settings import EmbeddingSettings, PassageSettings

from .synthetic import write_corpus

BACKENDS = ("torch", "onnx", "onnx-int8")


BULK = {"torch float32": {"bulk_precision": "float32", "bulk_runtime": "torch"},
        "torch bfloat16": {"bulk_precision": "bfloat16", "bulk_runtime": "torch"},
        "openvino bfloat16": {"bulk_precision": "bfloat16", "bulk_runtime": "openvino"}}


def _texts(papers: int) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        corpus = list(iter_corpus(write_corpus(Path(folder) / "corpus.jsonl", papers)))
    return [embedding_text(p, c.text) for p in corpus for c in chunk_paper(p, PassageSettings())]


def run_bulk(papers: int = 500, rounds: int = 2) -> dict:
    """Papers/s of each bulk encoder per round, and its smallest cosine to float32."""
    texts = _texts(papers)
    reference = get_embedder(EmbeddingSettings(backend="torch")).encode(texts)
    encoders = {name: get_bulk_embedder(EmbeddingSettings(**fields)) for name, fields in BULK.items()}
    result: dict = {"papers": papers, "passages": len(texts), "cores": os.cpu_count()}
    for name, encoder in encoders.items():
        encoder.encode(texts[:64])  # warm up
        result[name] = {"papers_per_s": [], "min_cosine_to_float32": None}
    for _ in range(rounds):
        for name, encoder in encoders.items():
            started = time.perf_counter()
            vectors = encoder.encode(texts)
            result[name]["papers_per_s"].append(round(papers / (time.perf_counter() - started), 1))
            result[name]["min_cosine_to_float32"] = round(float((vectors * reference).sum(axis=1).min()), 6)
    return result


def run(papers: int = 300) -> dict:
    texts = _texts(papers)
    result = {"papers": papers, "passages": len(texts), "cores": os.cpu_count()}
    for backend in BACKENDS:
        embedder = get_embedder(EmbeddingSettings(backend=backend))
        embedder.encode(texts[:64])  # warm up
        started = time.perf_counter()
        embedder.encode(texts)
        seconds = time.perf_counter() - started
        result[backend] = {"papers_per_s": round(papers / seconds, 1), "passages_per_s": round(len(texts) / seconds, 1)}
    result["int8_speedup_over_torch"] = round(result["onnx-int8"]["papers_per_s"] / result["torch"]["papers_per_s"], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulk", action="store_true", help="the encoders of rag index instead of the backends")
    parser.add_argument("--papers", type=int)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.bulk:
        print(json.dumps(run_bulk(args.papers or 500, args.rounds), indent=2))
    else:
        print(json.dumps(run(args.papers or 300), indent=2))


if __name__ == "__main__":
    main()
