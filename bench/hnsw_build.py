"""What Chroma's HNSW construction settings cost in write time and buy in recall, on real vectors.

    python -m bench.hnsw_build --index-dir /tmp/scale2/index-10000 [--ef 100 40] [--m 16] [--queries 300]

Reads the passage vectors of a built index (``bench.scale --workdir`` leaves them), upserts them
into fresh collections with each ``hnsw:construction_ef`` and ``hnsw:M`` (neighbours per node)
in build-sized steps (timed: wall and this process's CPU), then
queries each with ``--queries`` passage vectors (each query's own row left out) for the 40
candidates search fetches, and compares them with exact search (a NumPy dot product over all
vectors): recall@10, and the share of the exact top 10 among the 40 fetched.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

STEP = 1200  # about one build step of 256 papers
CANDIDATES = 40  # what search fetches from the dense side (RAG_RETRIEVAL__CANDIDATES)


def _vectors(index_dir: Path) -> tuple[list[str], np.ndarray, list[dict]]:
    from rag.index.store import Store
    from rag.settings import Settings

    settings = Settings(_env_file=None, index_dir=index_dir)
    store = Store(settings)
    manifest = store.read_manifest()
    passages = store.collection(manifest["passages_collection"])
    ids, vectors, metadatas = [], [], []
    while True:
        got = passages.get(include=["embeddings", "metadatas"], limit=10_000, offset=len(ids))  # SQLite's limit
        if not got["ids"]:
            break
        ids += got["ids"]
        vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
        metadatas += got["metadatas"]
    return ids, np.concatenate(vectors), metadatas


def run(index_dir: Path, efs: list[int], queries: int, ms: tuple[int, ...] = (16,)) -> dict:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    ids, vectors, metadatas = _vectors(index_dir)
    rng = np.random.default_rng(0)
    sample = rng.choice(len(ids), size=min(queries, len(ids)), replace=False)
    exact = np.argsort(-(vectors[sample] @ vectors.T), axis=1)[:, 1:11]  # the row itself first: left out
    position = {pid: k for k, pid in enumerate(ids)}
    result: dict = {"index_dir": str(index_dir), "rows": len(ids), "queries": len(sample), "by_setting": {}}
    for ef, m in [(ef, m) for ef in efs for m in ms]:
        with tempfile.TemporaryDirectory() as folder:
            client = chromadb.PersistentClient(path=folder, settings=ChromaSettings(anonymized_telemetry=False))
            collection = client.create_collection(
                f"hnsw_ef{ef}_m{m}", embedding_function=None,
                metadata={"hnsw:space": "cosine", "hnsw:construction_ef": ef, "hnsw:M": m})
            started, cpu = time.perf_counter(), time.process_time()
            for i in range(0, len(ids), STEP):
                collection.upsert(ids=ids[i:i + STEP], embeddings=vectors[i:i + STEP], metadatas=metadatas[i:i + STEP] if any(metadatas) else None)
            write_s, write_cpu_s = time.perf_counter() - started, time.process_time() - cpu
            found = collection.query(query_embeddings=vectors[sample], n_results=CANDIDATES + 1, include=[])["ids"]
            rows = [[position[p] for p in row if p != ids[s]] for row, s in zip(found, sample)]
            top10 = [len(set(row[:10]) & set(truth)) / 10 for row, truth in zip(rows, exact)]
            fetched = [len(set(row[:CANDIDATES]) & set(truth)) / 10 for row, truth in zip(rows, exact)]
            result["by_setting"][f"construction_ef {ef}, M {m}"] = {
                "write_s": round(write_s, 1), "write_cpu_s": round(write_cpu_s, 1),
                "recall_at_10": round(float(np.mean(top10)), 4),
                f"exact_top_10_within_{CANDIDATES}_fetched": round(float(np.mean(fetched)), 4)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True, help="a built index (e.g. from bench.scale)")
    parser.add_argument("--ef", type=int, nargs="+", default=[100, 40], help="construction_ef values (100: Chroma's)")
    parser.add_argument("--m", type=int, nargs="+", default=[16], help="hnsw:M values (16: Chroma's)")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    print(json.dumps(run(args.index_dir, args.ef, args.queries, tuple(args.m)), indent=1))


if __name__ == "__main__":
    main()
