"""Scale benchmark: index synthetic corpora of 1,000 / 10,000 / 100,000 abstracts and measure.

    python -m bench.scale --sizes 1000 10000 [--backend onnx-int8]

Each size runs in its own process (so peak memory is its own) and reports: indexing papers/s,
raw model encode papers/s on the same passage texts (the pipeline's overhead is the ratio),
search p50/p95, warm extractive ask() p50/p95, re-index time of the unchanged corpus, peak
memory and index size on disk.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .core import query_latencies


def _folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def measure(papers: int, backend: str) -> dict:
    from rag.builder import embedding_text
    from rag.chunking import chunk_paper
    from rag.corpus import load_corpus
    from rag.embeddings import get_embedder
    from rag.engine import reset_engines
    from rag.indexer import ensure_index
    from rag.settings import EmbeddingSettings, Settings

    from .synthetic import write_corpus

    with tempfile.TemporaryDirectory() as folder:
        corpus = write_corpus(Path(folder) / "corpus.jsonl", papers)
        settings = Settings(_env_file=None, corpus=corpus, index_dir=Path(folder) / "index",
                            embeddings=EmbeddingSettings(backend=backend))
        embedder = get_embedder(settings.embeddings)
        embedder.encode(["warm up"] * 8)
        started = time.perf_counter()
        manifest = ensure_index(settings)
        build = time.perf_counter() - started
        texts = [embedding_text(p, c.text) for p in load_corpus(corpus) for c in chunk_paper(p, settings.passages)]
        started = time.perf_counter()
        embedder.encode(texts)
        encode = time.perf_counter() - started
        started = time.perf_counter()
        again = ensure_index(settings)
        reindex = time.perf_counter() - started
        assert again == manifest, "the unchanged corpus was rebuilt"
        reset_engines()
        timings = query_latencies(settings)
        size = _folder_size(Path(folder) / "index")
    return {
        "papers": papers, "passages": manifest["passage_count"], "backend": backend,
        "index_papers_per_s": round(papers / build, 1),
        "encode_papers_per_s": round(papers / encode, 1),
        "pipeline_overhead": round(build / encode - 1, 3),
        "unchanged_reindex_s": round(reindex, 2),
        "unchanged_reindex_share_of_build": round(reindex / build, 4),
        **timings,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "index_mb": round(size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a single size, in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.backend)))
        return
    for size in args.sizes:
        out = subprocess.run([sys.executable, "-m", "bench.scale", "--one", str(size), "--backend", args.backend],
                             capture_output=True, text=True, check=True)
        print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
