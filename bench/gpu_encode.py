"""The bulk encoder on a GPU (``RAG_EMBEDDINGS__DEVICE=cuda``) against the CPU: papers/s and how
close the vectors are. Needs a CUDA device; run it where one is lent.

    python -m bench.gpu_encode [--papers 2000]

Encodes the passages of ``--papers`` synthetic papers with the bulk embedder on CUDA (float32,
batches of 64 and 256), with bfloat16 weights (batch 256), and the first 1,000 passages on the
CPU in float32; prints papers/s and the smallest cosine between the CUDA and CPU vectors.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def run(papers: int, folder: Path) -> dict:
    import torch

    from rag.corpus.chunking import chunk_paper
    from rag.corpus.reader import load_corpus
    from rag.index.builder import embedding_text
    from rag.index.embeddings import get_bulk_embedder, get_embedder
    from rag.plugins.torch_embeddings import TorchEmbedder
    from rag.settings import EmbeddingSettings, PassageSettings

    from .synthetic import write_corpus

    if not torch.cuda.is_available():
        raise SystemExit("No CUDA device here: run this on a machine with a GPU.")
    loaded = load_corpus(write_corpus(folder / f"corpus-{papers}.jsonl", papers))
    texts = [embedding_text(p, c.text) for p in loaded for c in chunk_paper(p, PassageSettings())]
    out: dict = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__,
                 "papers": len(loaded), "passages": len(texts)}

    def papers_per_s(embedder, batch: int):
        embedder.encode(texts[:256], batch_size=batch)  # warm up
        torch.cuda.synchronize()
        started = time.perf_counter()
        vectors = embedder.encode(texts, batch_size=batch)
        torch.cuda.synchronize()
        return round(len(loaded) / (time.perf_counter() - started), 1), vectors

    gpu = get_bulk_embedder(EmbeddingSettings(device="cuda"))
    out["bulk_on_cuda"] = f"{type(gpu).__name__} {getattr(gpu, 'precision', '')}".strip()
    out["cuda_b64_papers_per_s"], _ = papers_per_s(gpu, 64)
    out["cuda_b256_papers_per_s"], on_gpu = papers_per_s(gpu, 256)
    out["cuda_bf16_b256_papers_per_s"], _ = papers_per_s(TorchEmbedder(EmbeddingSettings(device="cuda"), "bfloat16"), 256)
    sample = texts[:1000]
    started = time.perf_counter()
    on_cpu = get_embedder(EmbeddingSettings(backend="torch")).encode(sample)
    out["cpu_fp32_passages_per_s"] = round(len(sample) / (time.perf_counter() - started), 1)
    out["cuda_vs_cpu_cos_min"] = float((on_cpu * on_gpu[:len(sample)]).sum(axis=1).min())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(run(args.papers, Path(folder)), indent=1))


if __name__ == "__main__":
    main()
