"""Build the index: passages and papers embedded into a fresh build, then made live at once."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone

import numpy as np

from .chunking import Chunk, chunk_paper
from .corpus import content_hash, load_corpus
from .embeddings import get_embedder, model_label
from .errors import IndexMissingError, IndexOutdatedError
from .models import Paper
from .settings import Settings
from .store import BUILD_PREFIX, Store

MANIFEST_FORMAT = 1
CHUNKER_VERSION = 2
"""Bump when the normalisation, sentence splitting or passage building changes: an index
built by other code has other passages and is rebuilt."""
Progress = Callable[[int, int], None]
_CHECKED_KEYS = ("format", "embedding_model", "passages", "corpus_fingerprint")


def corpus_fingerprint(papers: list[Paper]) -> str:
    """A hash of every paper's id and content: equal fingerprints mean the same corpus."""
    digest = hashlib.sha256()
    for key in sorted(f"{p.id}\t{content_hash(p)}" for p in papers):
        digest.update(key.encode("utf-8") + b"\n")
    return digest.hexdigest()[:24]


def expected_manifest(settings: Settings, papers: list[Paper]) -> dict:
    """The manifest fields an index built now from ``papers`` would carry."""
    return {
        "format": MANIFEST_FORMAT,
        "embedding_model": model_label(settings.embeddings),
        "passages": {**settings.passages.model_dump(), "chunker_version": CHUNKER_VERSION},
        "corpus_fingerprint": corpus_fingerprint(papers),
    }


def manifest_differences(manifest: dict | None, expected: dict) -> list[str]:
    """What differs between a live manifest and the expected one (empty: up to date)."""
    if manifest is None:
        return ["no index has been built"]
    return [
        f"{key} is {manifest.get(key)!r}, settings and corpus want {expected[key]!r}"
        for key in _CHECKED_KEYS
        if manifest.get(key) != expected[key]
    ]


def embedding_text(paper: Paper, chunk: Chunk) -> str:
    """What is embedded for a passage: the paper's given title, then the passage."""
    return chunk.text if paper.title_derived else f"{paper.title}. {chunk.text}"


def _metadata(paper: Paper) -> dict:
    """Chroma metadata of a paper (Chroma takes no None and no empty lists)."""
    fields = {
        "doc_id": paper.id, "title": paper.title, "title_derived": paper.title_derived,
        "source": paper.source, "collections": paper.collections, "venue": paper.venue,
        "authors": paper.authors, "year": paper.year, "categories": paper.categories,
    }
    return {k: v for k, v in fields.items() if v not in (None, [], "")}


def _add_batches(collection, ids, embeddings, documents, metadatas, batch: int) -> None:
    for i in range(0, len(ids), batch):
        collection.add(
            ids=ids[i:i + batch], embeddings=embeddings[i:i + batch],
            documents=documents[i:i + batch], metadatas=metadatas[i:i + batch],
        )


def build_index(
    settings: Settings,
    papers: list[Paper] | None = None,
    progress: Progress | None = None,
) -> dict:
    """Embed ``papers`` (default: the configured corpus) into a new build and make it live.

    Until the last step the previous build stays live; an interrupted build leaves
    collections that the next build deletes. Returns the new manifest.
    """
    started = time.perf_counter()
    papers = load_corpus(settings.corpus) if papers is None else papers
    store = Store(settings)
    live = store.read_manifest() or {}
    store.drop_stale_builds({live.get("passages_collection", ""), live.get("papers_collection", "")})
    embedder = get_embedder(settings.embeddings)
    expected = expected_manifest(settings, papers)
    build = f"{BUILD_PREFIX}{expected['corpus_fingerprint'][:10]}_{uuid.uuid4().hex[:8]}"
    passages = store.collection(f"{build}_passages", create=True)
    paper_rows = store.collection(f"{build}_papers", create=True)
    batch = max(1, min(settings.embeddings.batch_size * 4, store.client.get_max_batch_size()))
    total = sum(1 for _ in papers)
    done = n_passages = 0
    try:
        for i in range(0, total, max(1, batch // 4)):
            group = papers[i:i + max(1, batch // 4)]
            chunks = [(paper, chunk) for paper in group for chunk in chunk_paper(paper, settings.passages)]
            vectors = embedder.encode([embedding_text(p, c) for p, c in chunks])
            _add_batches(
                passages, [c.id for _, c in chunks], vectors, [c.text for _, c in chunks],
                [{**_metadata(p), "index": c.index, "start": c.start, "end": c.end} for p, c in chunks],
                batch,
            )
            paper_vectors = []
            for paper in group:
                rows = [k for k, (p, _) in enumerate(chunks) if p.id == paper.id]
                mean = vectors[rows].mean(axis=0) if rows else np.zeros(embedder.dimension, np.float32)
                paper_vectors.append(mean / (np.linalg.norm(mean) or 1.0))
            _add_batches(
                paper_rows, [p.id for p in group], np.asarray(paper_vectors), [p.abstract for p in group],
                [{**_metadata(p), "content_hash": content_hash(p)} for p in group], batch,
            )
            done += len(group)
            n_passages += len(chunks)
            if progress:
                progress(done, total)
    except BaseException:
        store.drop(passages.name)
        store.drop(paper_rows.name)
        raise
    manifest = {
        **expected,
        "dimension": embedder.dimension,
        "corpus": str(settings.corpus),
        "papers": total,
        "passage_count": n_passages,
        "passages_collection": passages.name,
        "papers_collection": paper_rows.name,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - started, 3),
    }
    store.write_manifest(manifest)
    store.drop_stale_builds({passages.name, paper_rows.name})
    return manifest


def ensure_index(settings: Settings, rebuild: bool = False, progress: Progress | None = None) -> dict:
    """The live manifest, building the index first when it is missing, outdated or
    ``rebuild`` is set; with ``settings.auto_build`` off, a missing or outdated index raises."""
    papers = load_corpus(settings.corpus)
    store = Store(settings)
    manifest = store.read_manifest()
    differences = manifest_differences(manifest, expected_manifest(settings, papers))
    if not rebuild and manifest is not None:
        names = set(store.collection_names())
        if {manifest.get("passages_collection"), manifest.get("papers_collection")} - names:
            differences.append("the live build's collections are missing")
    if rebuild or differences:
        if not rebuild and not settings.auto_build:
            error = IndexMissingError if manifest is None else IndexOutdatedError
            raise error(
                f"The index in {store.location} cannot be used: {'; '.join(differences)}. "
                "Run 'rag index' to build it (or set RAG_AUTO_BUILD=true)."
            )
        return build_index(settings, papers, progress)
    return manifest
