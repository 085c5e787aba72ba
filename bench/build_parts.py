"""Where a fresh build's time goes: the whole ``ensure_index``, the encoding calls inside it, the
writer thread's Chroma writes and the serving files, timed in one process.

    python -m bench.build_parts --corpus /tmp/s1/corpus-1000.jsonl [--runs 3]

Each run builds a fresh index in a temporary folder with the default settings (bulk encoder
warmed first). To compare two versions of the code, run it alternately in each checkout
(``cd`` there first: the current folder comes first on ``sys.path``); this host's speed drifts
over minutes, so only runs next to each other compare.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def _timed(owner, name: str, into: dict, key: str):
    """Wrap ``owner.name`` so that its wall time adds up in ``into[key]``; returns the undo."""
    function = getattr(owner, name)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            into[key] = into.get(key, 0.0) + time.perf_counter() - started
    setattr(owner, name, timed)
    return lambda: setattr(owner, name, function)


def run(corpus: Path) -> dict:
    import rag
    from rag.index import builder
    from rag.index.embeddings import get_bulk_embedder
    from rag.index.indexer import ensure_index
    from rag.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, corpus=corpus, index_dir=Path(folder) / "index")
        embedder = get_bulk_embedder(settings.embeddings)
        embedder.encode(["warm up"] * 8)
        parts: dict[str, float] = {}
        undo = [_timed(embedder, "encode", parts, "encoding_s"),
                _timed(builder.Builder, "_write_embedded", parts, "writer_thread_s"),
                _timed(builder, "write_serving_files", parts, "serving_files_s")]
        started, cpu = time.perf_counter(), time.process_time()
        try:
            manifest = ensure_index(settings)
        finally:
            total, cpu = time.perf_counter() - started, time.process_time() - cpu
            for step in undo:
                step()
    return {"code": str(Path(rag.__file__).parent), "papers": manifest["papers"], "build_s": round(total, 2),
            "process_cpu_s": round(cpu, 1), **{k: round(v, 2) for k, v in parts.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    for _ in range(args.runs):
        print(json.dumps(run(args.corpus)), flush=True)


if __name__ == "__main__":
    main()
