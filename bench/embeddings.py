"""Embedding speed of each backend on the same passages, side by side in one run:
sentence-transformers torch fp32 (the default path), ONNX fp32 and ONNX int8."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from rag.corpus.chunking import chunk_paper
from rag.corpus.reader import iter_corpus
from rag.index.builder import embedding_text
from rag.index.embeddings import get_embedder
from rag.settings import EmbeddingSettings, PassageSettings

from .synthetic import write_corpus

BACKENDS = ("torch", "onnx", "onnx-int8")


def run(papers: int = 300) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        corpus = list(iter_corpus(write_corpus(Path(folder) / "corpus.jsonl", papers)))
    texts = [embedding_text(p, c.text) for p in corpus for c in chunk_paper(p, PassageSettings())]
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


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
