"""What an index must be built from (the manifest), whether the live one still is, and the
entry points that bring it up to date (the work itself is in :mod:`rag.builder`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from ..corpus.reader import content_hash, corpus_files, stream_corpus
from ..errors import IndexMissingError, IndexOutdatedError
from ..models import Paper
from ..settings import Settings
from .builder import Builder, Progress
from .embeddings import model_label
from .store import Store

MANIFEST_FORMAT = 1
CHUNKER_VERSION = 3
"""Bump when the normalisation, sentence splitting or passage building changes: an index
built by other code has other passages and is rebuilt."""
_CHECKED_KEYS = ("format", "embedding_model", "passages", "corpus_fingerprint")


def corpus_fingerprint(papers: Iterable[Paper]) -> str:
    """A hash of every paper's id and content: equal fingerprints mean the same corpus."""
    digest = hashlib.sha256()
    for key in sorted(f"{p.id}\t{content_hash(p)}" for p in papers):
        digest.update(key.encode("utf-8") + b"\n")
    return digest.hexdigest()[:24]


def corpus_stamps(path: Path | str) -> dict[str, list[int]]:
    """Size, modification time (ns) and inode of each corpus file. Unchanged stamps mean the
    files were not touched since the last check, so their content is not read again."""
    stamps = {}
    for file in corpus_files(Path(path)):
        status = file.stat()
        stamps[str(file.resolve())] = [status.st_size, status.st_mtime_ns, status.st_ino]
    return stamps


def expected_manifest(settings: Settings, papers: Iterable[Paper], stamps: dict | None = None) -> dict:
    """The manifest fields an index built now from ``papers`` would carry (with the corpus
    files' ``stamps`` taken before they were read, when they were read from the corpus)."""
    return {
        "format": MANIFEST_FORMAT,
        "embedding_model": model_label(settings.embeddings),
        "passages": {**settings.passages.model_dump(), "chunker_version": CHUNKER_VERSION},
        "corpus_fingerprint": corpus_fingerprint(papers),
        **({"corpus_stamps": stamps} if stamps is not None else {}),
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


def build_index(
    settings: Settings,
    papers: Iterable[Paper] | None = None,
    progress: Progress | None = None,
    fresh: bool = False,
) -> dict:
    """Bring the index up to ``papers`` (default: the configured corpus) and make it live.

    Unchanged papers are copied from the live build and an interrupted build is resumed,
    unless ``fresh`` asks to embed everything again. Until the last step the previous build
    stays live. Returns the new manifest.
    """
    stamps = corpus_stamps(settings.corpus) if papers is None else None  # before reading: a later change shows
    papers = stream_corpus(settings.corpus) if papers is None else list(papers)
    return Builder(settings, expected_manifest(settings, papers, stamps), fresh=fresh).run(papers, progress)


def ensure_index(settings: Settings, rebuild: bool = False, progress: Progress | None = None,
                 verify: bool = False) -> dict:
    """The live manifest, building the index first when it is missing, outdated or
    ``rebuild`` is set; with ``settings.auto_build`` off, a missing or outdated index raises.
    Corpus files whose stamps (size, mtime, inode) match the live build's are not read again,
    unless ``verify`` asks to hash every paper."""
    store = Store(settings)
    manifest = store.read_manifest()
    stamps = corpus_stamps(settings.corpus)
    if not (rebuild or verify) and manifest is not None and manifest.get("corpus_stamps") == stamps:
        unread = {**expected_manifest(settings, []), "corpus_fingerprint": manifest.get("corpus_fingerprint")}
        if not manifest_differences(manifest, unread) and _collections_exist(store, manifest):
            return manifest
    papers = stream_corpus(settings.corpus)
    expected = expected_manifest(settings, papers, stamps)
    differences = manifest_differences(manifest, expected)
    if not rebuild and manifest is not None and not _collections_exist(store, manifest):
        differences.append("the live build's collections are missing")
    if rebuild or differences:
        if not rebuild and not settings.auto_build:
            error = IndexMissingError if manifest is None else IndexOutdatedError
            raise error(
                f"The index in {store.location} cannot be used: {'; '.join(differences)}. "
                "Run 'rag index' to build it (or set RAG_AUTO_BUILD=true)."
            )
        return Builder(settings, expected, fresh=rebuild).run(papers, progress)  # the stream read above
    if manifest.get("corpus_stamps") != stamps:  # same papers, touched files: remember the new stamps
        manifest = {**manifest, "corpus_stamps": stamps}
        store.write_manifest(manifest)
    return manifest


def _collections_exist(store: Store, manifest: dict) -> bool:
    names = set(store.collection_names())
    return {manifest.get("passages_collection"), manifest.get("papers_collection")} <= names
