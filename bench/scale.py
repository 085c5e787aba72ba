"""Scale benchmark: index synthetic corpora of 1,000 / 10,000 / 100,000 abstracts and measure.

    python -m bench.scale --sizes 1000 10000 [--backend onnx-int8] [--workdir DIR]

Each size runs in its own process (so peak memory is its own) and reports: indexing papers/s,
raw model encode papers/s on the same passage texts (the first ``ENCODE_SAMPLE`` papers' texts:
encode speed per text does not depend on the corpus size, so the pipeline's overhead is the
ratio), search p50/p95, warm extractive ask() p50/p95, re-index time of the unchanged corpus,
peak memory after indexing and after searching, the time a new process takes to load the
index for its first answer, and index size on disk.

``--workdir DIR`` keeps the corpus and index there (a long build killed half way resumes;
the build time then counts only the last run). Seconds listed in ``DIR/pauses.log`` (lines
``START END`` of ``time.time()``, written by whoever paused the process with SIGSTOP) are
taken off the build and raw-encode times.

The host's speed drifts over minutes, so a raw-encode sample taken after a long build need not
match the speed the build ran at. ``--interleave SECONDS`` (default 60) has the parent process
stop the measuring process every SECONDS, time a raw encode of the first ``--interleave-papers``
papers' passages while it is stopped (logged to ``DIR/pauses.log``, so the pause is not counted,
and to ``DIR/raw-samples.log``; ``DIR/sampling`` exists meanwhile), and let it go on:
``pipeline_overhead_interleaved`` compares the build with the median sample taken during it,
at the speed the host had then.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from .core import query_latencies

ENCODE_SAMPLE = 5000
BUILDING = "building"
SAMPLING = "sampling"


def _paused_seconds(log: Path, start: float, end: float) -> float:
    """Seconds of ``[start, end]`` covered by the pauses listed in ``log``."""
    if not log.exists():
        return 0.0
    total = 0.0
    for line in log.read_text().split("\n"):
        if line.strip():
            a, b = map(float, line.split())
            total += max(0.0, min(b, end) - max(a, start))
    return total


def _interleaved_rate(log: Path, start: float, end: float) -> tuple[float, int]:
    """The median papers/s of the raw-encode samples in ``log`` (lines ``START END PAPERS
    SECONDS``) taken within ``[start, end]``, and how many there were (0, 0: none)."""
    if not log.exists():
        return 0.0, 0
    rows = [tuple(map(float, line.split())) for line in log.read_text().split("\n") if line.strip()]
    rates = [papers / seconds for a, b, papers, seconds in rows if start <= a and b <= end]
    return (statistics.median(rates), len(rates)) if rates else (0.0, 0)


def corpus_file(workdir: Path, papers: int) -> Path:
    """The synthetic corpus of ``papers`` papers in ``workdir``, written the first time."""
    from .synthetic import write_corpus

    corpus = workdir / f"corpus-{papers}.jsonl"
    if not corpus.exists():
        write_corpus(corpus, papers)
    return corpus


def _folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def measure(papers: int, backend: str, workdir: Path) -> dict:
    from itertools import islice

    from rag.answers.pipeline import search
    from rag.corpus.chunking import chunk_paper
    from rag.corpus.reader import stream_corpus
    from rag.index.builder import embedding_text
    from rag.index.embeddings import get_bulk_embedder
    from rag.index.engine import reset_engines
    from rag.index.indexer import ensure_index
    from rag.settings import EmbeddingSettings, Settings

    corpus = corpus_file(workdir, papers)
    settings = Settings(_env_file=None, corpus=corpus, index_dir=workdir / f"index-{papers}",
                        embeddings=EmbeddingSettings(backend=backend))
    embedder = get_bulk_embedder(settings.embeddings)  # what the build encodes with
    embedder.encode(["warm up"] * 8)
    marker = workdir / BUILDING
    marker.touch()  # the parent's raw-encode samples are taken while this exists
    started, wall_build = time.perf_counter(), time.time()
    try:
        manifest = ensure_index(settings, progress=_progress_printer(papers))
    finally:
        wall_built = time.time()
        marker.unlink(missing_ok=True)
    build = time.perf_counter() - started - _paused_seconds(workdir / "pauses.log", wall_build, wall_built)
    index_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sample = list(islice(stream_corpus(corpus), ENCODE_SAMPLE))
    texts = [embedding_text(p, c.text) for p in sample for c in chunk_paper(p, settings.passages)]
    started, wall = time.perf_counter(), time.time()
    embedder.encode(texts)
    encode = time.perf_counter() - started - _paused_seconds(workdir / "pauses.log", wall, time.time())
    started = time.perf_counter()
    again = ensure_index(settings)
    reindex = time.perf_counter() - started
    assert again == manifest, "the unchanged corpus was rebuilt"
    interleaved, samples = _interleaved_rate(workdir / "raw-samples.log", wall_build, wall_built)
    reset_engines()
    started = time.perf_counter()
    search("warm up the engine", settings=settings)
    load = time.perf_counter() - started
    timings = query_latencies(settings)
    return {
        "papers": papers, "passages": manifest["passage_count"], "backend": backend,
        "bulk_encoder": f"{type(embedder).__name__} {getattr(embedder, 'precision', '')}".strip(),
        "index_papers_per_s": round(manifest["embedded"] / build, 1),
        "encode_papers_per_s": round(len(sample) / encode, 1),
        "encode_sample_papers": len(sample),
        "pipeline_overhead": round((len(sample) / encode) / (manifest["embedded"] / build) - 1, 3),
        "encode_interleaved_papers_per_s": round(interleaved, 1),
        "interleaved_samples": samples,
        "pipeline_overhead_interleaved": round(interleaved / (manifest["embedded"] / build) - 1, 3) if samples else None,
        "build_s": round(build),
        "unchanged_reindex_s": round(reindex, 2),
        "unchanged_reindex_share_of_build": round(reindex / build, 4),
        "engine_load_s": round(load, 1),
        **timings,
        "index_peak_rss_mb": round(index_rss / 1024),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "index_mb": round(_folder_size(settings.index_dir) / 1e6, 1),
    }


def _progress_printer(total: int):
    started = time.time()

    def show(done: int, _: int) -> None:
        print(f"{time.time():.0f} {done}/{total} papers {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    return show


class RawSampler:
    """Every ``every`` seconds while ``workdir/building`` exists (the build is running), stop the
    process ``pid`` (SIGSTOP), time a raw encode of the
    corpus's first ``papers`` papers' passages with the same bulk encoder, and let it go on;
    each pause goes to ``pauses.log`` and each sample to ``raw-samples.log`` in ``workdir``."""

    def __init__(self, corpus: Path, backend: str, workdir: Path, every: float, papers: int) -> None:
        from itertools import islice

        from rag.corpus.chunking import chunk_paper
        from rag.corpus.reader import stream_corpus
        from rag.index.builder import embedding_text
        from rag.index.embeddings import get_bulk_embedder
        from rag.settings import EmbeddingSettings, Settings

        settings = Settings(_env_file=None, corpus=corpus, embeddings=EmbeddingSettings(backend=backend))
        self.embedder = get_bulk_embedder(settings.embeddings)
        sample = list(islice(stream_corpus(corpus), papers))
        self.papers = len(sample)
        self.texts = [embedding_text(p, c.text) for p in sample for c in chunk_paper(p, settings.passages)]
        self.embedder.encode(self.texts)  # the first run of each batch shape is slower
        self.workdir, self.every = workdir, every
        self.stopped = threading.Event()

    def run(self, pid: int) -> None:
        due = None  # the first sample 5 s into the build, then one every ``every`` seconds
        while not self.stopped.wait(0.5):
            if not (self.workdir / BUILDING).exists():
                due = None
                continue
            due = due or time.time() + min(5.0, self.every)
            if time.time() < due:
                continue
            due = time.time() + self.every
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                return
            start = time.time()
            (self.workdir / SAMPLING).touch()  # whoever else pauses the build waits for this to go
            try:
                began = time.perf_counter()
                self.embedder.encode(self.texts)
                seconds = time.perf_counter() - began
            finally:
                end = time.time()
                with contextlib.suppress(ProcessLookupError):  # it may have been killed meanwhile
                    os.kill(pid, signal.SIGCONT)
                (self.workdir / SAMPLING).unlink(missing_ok=True)
            with open(self.workdir / "pauses.log", "a") as log:
                log.write(f"{start} {end}\n")
            with open(self.workdir / "raw-samples.log", "a") as log:
                log.write(f"{start} {end} {self.papers} {seconds}\n")


def _measure_in_child(size: int, args, workdir: Path) -> str:
    """Run ``--one size`` in a new process (raw-encode samples interleaved, unless
    ``--interleave 0``); its JSON line."""
    command = [sys.executable, "-m", "bench.scale", "--one", str(size), "--backend", args.backend,
               "--workdir", str(workdir)]
    if not args.interleave:
        return subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True).stdout
    sampler = RawSampler(corpus_file(workdir, size), args.backend, workdir, args.interleave, args.interleave_papers)
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    thread = threading.Thread(target=sampler.run, args=(child.pid,), daemon=True)
    thread.start()
    out, _ = child.communicate()
    sampler.stopped.set()
    thread.join()
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--backend", default="onnx", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--workdir", type=Path, help="keep corpora and indexes here (default: a temporary folder)")
    parser.add_argument("--interleave", type=float, default=60.0,
                        help="seconds between raw-encode samples taken while the build is stopped (0: none)")
    parser.add_argument("--interleave-papers", type=int, default=300, help="papers in each interleaved sample")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a single size, in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.backend, args.workdir)))
        return
    from .synthetic import work_folder

    with work_folder(args.workdir) as workdir:
        for size in args.sizes:
            print(_measure_in_child(size, args, workdir).strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
