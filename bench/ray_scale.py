"""Indexing through Ray against a local build: papers/s of ``rag index`` here and with 1 and 2
Ray worker nodes (one CPU each, started on this machine by ``ray.cluster_utils.Cluster``).

    python -m bench.ray_scale [--papers 1000] [--workdir DIR]

Each build is a fresh one of the same synthetic corpus into its own index folder; the Ray
builds include starting the embedding actors (a model load each), not starting the cluster.
``float32`` and ``bfloat16`` are measured as the build would run them (``bulk_precision=auto``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path


def _build(corpus: Path, index_dir: Path, ray_address: str | None = None) -> dict:
    from rag.index.indexer import ensure_index
    from rag.settings import Settings

    shutil.rmtree(index_dir, ignore_errors=True)
    settings = Settings(_env_file=None, corpus=corpus, index_dir=index_dir, index={"ray_address": ray_address})
    started = time.perf_counter()
    manifest = ensure_index(settings)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1), "papers_per_s": round(manifest["embedded"] / seconds, 1)}


def run(papers: int, workdir: Path) -> dict:
    import ray
    from ray.cluster_utils import Cluster

    from .synthetic import write_corpus

    corpus = workdir / f"corpus-{papers}.jsonl"
    if not corpus.exists():
        write_corpus(corpus, papers)
    result = {"papers": papers, "cores": os.cpu_count(), "local": _build(corpus, workdir / "local")}
    for nodes in (1, 2):
        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})  # the head only schedules
        for _ in range(nodes):
            cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        try:
            result[f"ray_{nodes}_nodes"] = _build(corpus, workdir / f"ray-{nodes}", cluster.address)
        finally:
            ray.shutdown()
            cluster.shutdown()
    local = result["local"]["papers_per_s"]
    for nodes in (1, 2):
        row = result[f"ray_{nodes}_nodes"]
        row["per_worker_cpu"] = round(row["papers_per_s"] / nodes, 1)
        row["vs_local"] = round(row["papers_per_s"] / local, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, help="keep the corpus and indexes here (default: a temporary folder)")
    args = parser.parse_args()
    from .synthetic import work_folder

    with work_folder(args.workdir) as workdir:
        print(json.dumps(run(args.papers, workdir), indent=2))


if __name__ == "__main__":
    main()
