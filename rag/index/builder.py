"""Incremental, resumable index builds.

A build writes a staging pair of collections (passages, papers) and is made live by one write
of the manifest at the end, so the live index keeps answering until then. Within a build:

* a paper whose content hash is already in the staging build is skipped (resuming a build
  that was interrupted: the ``pending`` record names it);
* a paper whose content hash is in the live build is copied from it, vectors included:
  nothing is embedded again;
* every other paper is chunked and embedded.

The records are laid out as :mod:`rag.index.records` says: a passage is only its id and its
vector; its paper's record holds everything else. A paper's row is written after its passages,
so it marks the paper as done; passages are upserted, so a paper cut off half way is simply
written again. Before the switch, the build's serving files (:mod:`rag.index.serving_files`)
are written from the paper records.
"""

from __future__ import annotations

import errno
import shutil
import time
import uuid
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path

import numpy as np

from ..corpus.chunking import chunk_paper
from ..corpus.reader import CorpusStream, content_hash
from ..errors import IndexSpaceError, causes
from ..models import Paper
from ..settings import Settings
from .embeddings import get_bulk_embedder, get_cluster_embedder
from .records import (
    paper_fields,
    paper_record,
    passage_ids,
    relabelled,
    stored_passages,
)
from .serving_files import (
    PassageTable,
    remove_other_builds,
    serving_folder,
    write_serving_files,
)
from .store import BUILD_PREFIX, Store, iter_records

PENDING = "pending"
Progress = Callable[[int, int], None]
PAPERS_PER_STEP = 256
BYTES_PER_PAPER = 36_000
"""Disk an indexed paper takes (Chroma's SQLite and HNSW files with the serving files): 335 MB
for 10,000 papers in BENCHMARKS.md (lean passage records), with a margin. Used to say how much
room a build that ran out needs."""
BYTES_PER_PASSAGE_SERVED = 1_200
MIN_FREE_BYTES = 8_000_000
"""A build does not start with less room than this."""


@dataclass
class BuildStats:
    embedded: int = 0
    reused: int = 0
    resumed: int = 0
    passages: int = 0
    notes: list[str] = field(default_factory=list)


def _hashes(collection) -> dict[str, str]:
    """Paper id -> content hash of every paper row of a collection."""
    return {pid: (meta or {}).get("content_hash", "")
            for batch in iter_records(collection, ["metadatas"])
            for pid, meta in zip(batch["ids"], batch["metadatas"])}


def disk_full(error: BaseException) -> bool:
    """Whether ``error`` (or one it came from) says the disk is full."""
    return any((isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT))
               or any(text in str(e).lower() for text in ("disk is full", "no space left", "database or disk is full"))
               for e in causes(error))


def space_error(settings: Settings, error: BaseException | None, needed: int, when: str) -> IndexSpaceError:
    """The one error a build that ran out of disk (``error``, if it names a file) stops with."""
    folder = Path(getattr(error, "filename", None) or settings.index_dir)
    folder = next((f for f in (folder, *folder.parents) if f.is_dir()), Path(settings.index_dir))
    free = shutil.disk_usage(folder).free
    return IndexSpaceError(
        f"The disk holding {folder} is full ({free / 1e6:.1f} MB free) {when}. The rest of the build "
        f"needs about {needed / 1e6:.0f} MB more: free that much (or set RAG_INDEX_DIR to a larger "
        "disk) and run 'rag index' again; it resumes where it stopped. The previous index keeps "
        "answering until then."
    )


def embedding_text(paper: Paper, text: str) -> str:
    """What is embedded for a passage: the paper's given title, then the passage."""
    return text if paper.title_derived else f"{paper.title}. {text}"


class Builder:
    """One build of the index; see the module docstring."""

    def __init__(self, settings: Settings, expected: dict, fresh: bool = False) -> None:
        self.settings = settings
        self.expected = expected
        if not settings.chroma_url and Path(settings.index_dir).is_dir():
            if shutil.disk_usage(settings.index_dir).free < MIN_FREE_BYTES:  # Chroma can hang on a full disk
                raise space_error(settings, None, MIN_FREE_BYTES, "before the build started")
        self.store = Store(settings)
        if settings.index.ray_address:
            self.embedder = get_cluster_embedder("ray", settings.embeddings, settings.index.ray_address,
                                                 settings.index.ray_step_papers)
        else:
            self.embedder = get_bulk_embedder(settings.embeddings)
        self.papers_per_step = getattr(self.embedder, "papers_per_step", PAPERS_PER_STEP)
        self.stats = BuildStats()
        live = self.store.read_manifest() or {}
        compatible = {k: live.get(k) for k in ("embedding_model", "passages")} == \
            {k: expected[k] for k in ("embedding_model", "passages")}
        names = set(self.store.collection_names())
        self.live = None
        if not fresh and compatible and live.get("passages_collection") in names:
            self.live = (self.store.collection(live["passages_collection"]),
                         self.store.collection(live["papers_collection"]))
        pending = self.store.read_manifest(PENDING) or {}
        resume = (not fresh and pending.get("embedding_model") == expected["embedding_model"]
                  and pending.get("passages") == expected["passages"]
                  and {pending.get("passages_collection"), pending.get("papers_collection")} <= names)
        keep = {live.get("passages_collection", ""), live.get("papers_collection", "")}
        if resume:
            keep |= {pending["passages_collection"], pending["papers_collection"]}
            self.stats.notes.append("resumed an interrupted build")
        self.store.drop_stale_builds(keep)
        if not resume:
            name = f"{BUILD_PREFIX}{expected['corpus_fingerprint'][:10]}_{uuid.uuid4().hex[:8]}"
            pending = {**{k: expected[k] for k in ("embedding_model", "passages")},
                       "passages_collection": f"{name}_passages", "papers_collection": f"{name}_papers"}
        self.passages = self.store.collection(pending["passages_collection"], create=True)
        self.papers = self.store.collection(pending["papers_collection"], create=True)
        self.store.write_manifest(pending, PENDING)
        self.done = _hashes(self.papers)
        self.live_hashes = _hashes(self.live[1]) if self.live else {}
        self._writing: Future | None = None

    def _write(self, collection, ids, embeddings, documents, metadatas) -> None:
        step = max(1, self.store.client.get_max_batch_size())
        for i in range(0, len(ids), step):
            collection.upsert(ids=ids[i:i + step], embeddings=embeddings[i:i + step],
                              documents=None if documents is None else documents[i:i + step],
                              metadatas=None if metadatas is None else metadatas[i:i + step])

    def _step(self, group: list[Paper]) -> None:
        todo = []
        for paper in group:
            digest = content_hash(paper)
            if self.done.get(paper.id) == digest:
                self.stats.resumed += 1
            else:
                todo.append((paper, digest))
        reuse = [p for p, d in todo if self.live_hashes.get(p.id) == d]
        fresh = [p for p, d in todo if self.live_hashes.get(p.id) != d]
        if reuse:
            self._wait_for_writes()
            fresh += self._copy(reuse)
        if fresh:
            self._embed(fresh)

    def _little_room(self) -> bool:
        """Whether the local index's disk has less than :data:`MIN_FREE_BYTES` free."""
        return not self.settings.chroma_url and shutil.disk_usage(self.settings.index_dir).free < MIN_FREE_BYTES

    def _wait_for_writes(self) -> None:
        """Wait for the write in flight (raising its error, if it failed)."""
        if self._writing is not None:
            self._writing.result()
            self._writing = None

    def _copy(self, papers: list[Paper]) -> list[Paper]:
        """Copy ``papers``' records and vectors from the live build; returns those whose
        passages the live build lacks (to be embedded)."""
        live_passages, live_papers = self.live
        rows = live_papers.get(ids=[p.id for p in papers], include=["embeddings", "documents", "metadatas"])
        records, passages_of = {}, {}
        for pid, vector, document, meta in zip(rows["ids"], rows["embeddings"], rows["documents"], rows["metadatas"]):
            abstract, spans = stored_passages(meta, document, self.settings.passages)
            record = paper_record(relabelled(meta, abstract), abstract, spans, meta.get("content_hash", ""))
            records[pid] = (vector, record)
            passages_of[pid] = passage_ids(pid, len(spans))
        got = live_passages.get(ids=[i for ids in passages_of.values() for i in ids], include=["embeddings"])
        vectors = dict(zip(got["ids"], got["embeddings"]))
        whole = [pid for pid, ids in passages_of.items() if all(i in vectors for i in ids)]
        passages = [i for pid in whole for i in passages_of[pid]]
        if passages:
            self._write(self.passages, passages, [vectors[i] for i in passages], None, None)
        if whole:
            self._write(self.papers, whole, [records[pid][0] for pid in whole], None,
                        [records[pid][1] for pid in whole])
        self.stats.reused += len(whole)
        self.stats.passages += len(passages)
        copied = set(whole)
        return [p for p in papers if p.id not in copied]

    def _embed(self, papers: list[Paper]) -> None:
        """Embed ``papers`` and hand the writes to the writer thread, so that Chroma stores this step
        while the next one is embedded (one write in flight at most)."""
        chunks = [(p, c) for p in papers for c in chunk_paper(p, self.settings.passages)]
        vectors = self.embedder.encode([embedding_text(p, c.text) for p, c in chunks])
        position = {p.id: k for k, p in enumerate(papers)}
        paper_vectors = np.zeros((len(papers), self.embedder.dimension), np.float32)
        np.add.at(paper_vectors, [position[p.id] for p, _ in chunks], np.asarray(vectors, np.float32))
        paper_vectors /= np.maximum(np.linalg.norm(paper_vectors, axis=1, keepdims=True), 1e-12)
        self._wait_for_writes()
        self._writing = self._writer.submit(self._write_embedded, papers, chunks, vectors, paper_vectors)
        self.stats.embedded += len(papers)
        self.stats.passages += len(chunks)

    def _write_embedded(self, papers, chunks, vectors, paper_vectors) -> None:
        spans: dict[str, list] = {p.id: [] for p in papers}
        for p, c in chunks:
            spans[p.id].append((c.start, c.end))
        # passages first: a paper's row marks it as done for a resumed build
        self._write(self.passages, [c.id for _, c in chunks], vectors, None, None)
        self._write(self.papers, [p.id for p in papers], paper_vectors, None,
                    [paper_record(paper_fields(p), p.abstract, spans[p.id], content_hash(p)) for p in papers])

    def _delete_papers(self, paper_ids: list[str]) -> None:
        """Remove papers (and their passages) from the staging build."""
        rows = self.papers.get(ids=paper_ids, include=["documents", "metadatas"])
        spans = [(pid, stored_passages(meta, document, self.settings.passages)[1])
                 for pid, document, meta in zip(rows["ids"], rows["documents"], rows["metadatas"])]
        self._delete_passages([i for pid, cut in spans for i in passage_ids(pid, len(cut))])
        self.papers.delete(ids=paper_ids)

    def _drop_orphans(self, served: set[str]) -> None:
        """Delete passage records no paper record names (left by a paper cut off half way in
        an interrupted build and then changed or removed)."""
        self._delete_passages([i for batch in iter_records(self.passages, []) for i in batch["ids"] if i not in served])

    def _delete_passages(self, ids: list[str], page: int = 5000) -> None:
        for i in range(0, len(ids), page):
            self.passages.delete(ids=ids[i:i + page])

    def run(self, papers: Collection[Paper], progress: Progress | None = None) -> dict:
        """Bring the staging build to ``papers`` (a list or a :class:`CorpusStream`, read in
        steps of :data:`PAPERS_PER_STEP`, or the embedder's ``papers_per_step``), make it live and
        return the manifest."""
        started = time.perf_counter()
        wanted = papers.ids if isinstance(papers, CorpusStream) else {p.id for p in papers}
        stale = [pid for pid in self.done if pid not in wanted]
        if stale:  # in a resumed build, papers removed from the corpus meanwhile
            self._delete_papers(stale)
        total, seen = len(wanted), 0
        papers_left = iter(papers)
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-index-writer") as self._writer:
                while group := list(islice(papers_left, self.papers_per_step)):
                    self._step(group)
                    seen += len(group)
                    if progress:
                        progress(seen, total)
                self._wait_for_writes()
        except Exception as error:
            if disk_full(error) or self._little_room():  # Chroma's own errors do not always say why
                raise space_error(self.settings, error, (total - seen + self.papers_per_step) * BYTES_PER_PAPER,
                                  f"after {seen} of {total} papers") from error
            raise
        folder = serving_folder(self.settings, {"passages_collection": self.passages.name})
        shutil.rmtree(folder, ignore_errors=True)  # a copy left by a build that died: written anew
        try:
            count = write_serving_files(self.settings, self.papers, folder)
        except OSError as error:
            if disk_full(error) or self._little_room():  # numpy's short writes do not say why
                raise space_error(self.settings, error, self.passages.count() * BYTES_PER_PASSAGE_SERVED,
                                  "writing the serving files") from error
            raise
        if self.passages.count() != count:
            table = PassageTable(folder)
            self._drop_orphans({table.ids[i] for i in range(len(table))})
        manifest = {
            **self.expected,
            "dimension": self.embedder.dimension,
            "corpus": str(self.settings.corpus),
            "papers": len(papers),
            "passage_count": count,
            "passages_collection": self.passages.name,
            "papers_collection": self.papers.name,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 3),
            "embedded": self.stats.embedded,
            "reused": self.stats.reused,
            "resumed": self.stats.resumed,
        }
        manifest["serving_files"] = folder.name
        self.store.write_manifest(manifest)
        self.store.delete_record(PENDING)
        self.store.drop_stale_builds({self.passages.name, self.papers.name})
        remove_other_builds(folder.parent, keep={folder.name})
        return manifest
