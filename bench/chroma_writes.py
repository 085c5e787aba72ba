"""What Chroma's local store costs per write, and whether a write lets other Python threads run.

    python -m bench.chroma_writes [--papers 1000] [--workdir DIR]
    python -m bench.chroma_writes --grow 20000 [--workdir DIR]

Upserts the passages of ``--papers`` synthetic papers (random unit vectors: the model is not
measured) into a fresh local collection, in batches of 1,000, in four forms: vectors only (what
the builder writes now); with their place and the paper's filter fields (the records of
2026-11); with every paper field; and with the passage text as the document too (the first
records).
Then, while one thread upserts, counts how far a pure-Python loop in the main thread gets,
against the same loop alone: Chroma's binding holds the GIL for a whole upsert, so a writer
thread stalls every other Python thread of the process (the encoder's too).

With ``--grow N``: the passages of N synthetic papers upserted as the builder writes them in steps of
256 papers (a build step), printing the seconds each 10,000 rows took as the collection grows.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from itertools import islice
from pathlib import Path

import numpy as np

BATCH = 1000


def _collection(folder: Path, name: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(folder / name), settings=ChromaSettings(anonymized_telemetry=False))
    return client.create_collection(f"bench_{name}", metadata={"hnsw:space": "cosine"}, embedding_function=None)


def _upsert(collection, ids, vectors, documents, metadatas) -> None:
    for i in range(0, len(ids), BATCH):
        collection.upsert(ids=ids[i:i + BATCH], embeddings=vectors[i:i + BATCH],
                          documents=None if documents is None else documents[i:i + BATCH],
                          metadatas=None if metadatas is None else metadatas[i:i + BATCH])


def _python_loop_rate(until) -> float:
    """Iterations per second of a pure-Python loop, run until ``until()`` is true."""
    count, started = 0, time.perf_counter()
    while not until():
        count += 1
    return count / (time.perf_counter() - started)


def run(papers: int, workdir: Path, stores: Path) -> dict:
    from rag.corpus.chunking import chunk_paper
    from rag.corpus.reader import stream_corpus
    from rag.index.records import paper_fields
    from rag.settings import PassageSettings

    from .synthetic import write_corpus

    corpus = workdir / f"corpus-{papers}.jsonl"
    if not corpus.exists():
        write_corpus(corpus, papers)
    chunks = [(p, c) for p in islice(iter(stream_corpus(corpus)), papers) for c in chunk_paper(p, PassageSettings())]
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(chunks), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [c.id for _, c in chunks]
    fields = [paper_fields(p) for p, _ in chunks]
    placed = [{"doc_id": c.doc_id, "index": c.index, "start": c.start, "end": c.end,
               **{k: f[k] for k in ("collections", "categories", "authors", "year") if k in f}}
              for f, (_, c) in zip(fields, chunks)]
    full = [{**f, "index": c.index, "start": c.start, "end": c.end} for f, (_, c) in zip(fields, chunks)]
    texts = [c.text for _, c in chunks]
    result: dict = {"papers": papers, "passages": len(ids), "seconds": {}}
    forms = {"vectors only (now)": (None, None), "place and filter fields (2026-11)": (None, placed),
             "every paper field": (None, full), "every paper field and the text (before)": (texts, full)}
    for name, (documents, metadatas) in forms.items():
        collection = _collection(stores, f"form{len(result['seconds'])}")
        started, cpu = time.perf_counter(), time.process_time()
        _upsert(collection, ids, vectors, documents, metadatas)
        result["seconds"][name] = {"wall": round(time.perf_counter() - started, 2),
                                   "cpu": round(time.process_time() - cpu, 2)}
    alone_until = time.perf_counter() + 1.0
    alone = _python_loop_rate(lambda: time.perf_counter() > alone_until)
    collection = _collection(stores, "gil")
    writer = threading.Thread(target=_upsert, args=(collection, ids, vectors, None, placed))
    writer.start()
    during = _python_loop_rate(lambda: not writer.is_alive())
    writer.join()
    result["python_loop_share_while_a_thread_upserts"] = round(during / alone, 3)
    return result


def grow(papers: int, workdir: Path, stores: Path, report_every: int = 10_000) -> dict:
    """Seconds per ``report_every`` rows upserted as one collection grows to ``papers`` papers."""
    from rag.corpus.chunking import chunk_paper
    from rag.corpus.reader import stream_corpus
    from rag.index.builder import PAPERS_PER_STEP
    from rag.settings import PassageSettings

    from .synthetic import write_corpus

    corpus = workdir / f"corpus-{papers}.jsonl"
    if not corpus.exists():
        write_corpus(corpus, papers)
    collection = _collection(stores, "grow")
    rng = np.random.default_rng(0)
    rows, seconds, pending = 0, [], 0.0
    stream = iter(stream_corpus(corpus))
    while group := list(islice(stream, PAPERS_PER_STEP)):
        chunks = [(p, c) for p in group for c in chunk_paper(p, PassageSettings())]
        vectors = rng.standard_normal((len(chunks), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        started = time.perf_counter()
        collection.upsert(ids=[c.id for _, c in chunks], embeddings=vectors)  # one call, as a build
        pending += time.perf_counter() - started
        if (rows + len(chunks)) // report_every > rows // report_every:
            seconds.append(round(pending, 2))
            pending = 0.0
        rows += len(chunks)
    return {"papers": papers, "rows": rows, f"seconds_per_{report_every}_rows": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, help="keep the corpus here (default: a temporary folder)")
    parser.add_argument("--grow", type=int, metavar="N", help="time the writes of N papers as the collection grows")
    args = parser.parse_args()
    from .synthetic import work_folder

    with work_folder(args.workdir) as workdir, tempfile.TemporaryDirectory() as stores:
        result = grow(args.grow, workdir, Path(stores)) if args.grow else run(args.papers, workdir, Path(stores))
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
