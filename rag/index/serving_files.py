"""What a process serving a build needs besides the vectors, written once with the build.

The passage table (ids, texts, offsets, paper fields), the lexical index and the refusal
vocabulary are written to ``<index_dir>/serving_files/<build>`` (with a Chroma server: to this
machine's cache; keyed by the build's passages collection and the title weight) with a size and CRC-32 of every file. A process opens them
memory-mapped instead of reading every passage out of Chroma and rebuilding BM25. A missing,
truncated or damaged file is noticed at load, and the files are rebuilt from the index with a
warning; they are never answered from.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import uuid
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from ..corpus.names import vocabulary
from ..settings import Settings
from .columns import KeyIndex, StringColumn, write_keys, write_strings
from .lexical import LexicalIndex
from .records import passage_id, relabelled, stored_passages
from .store import iter_records

log = logging.getLogger(__name__)

FORMAT = 2
"""Bump when what is written changes: files of another format are rebuilt (2: labels made by
today's rules, :func:`~rag.index.records.relabelled`)."""
META = "meta.json"


@dataclass(frozen=True, slots=True)
class PassageRow:
    """A passage as stored in the index."""

    id: str
    doc_id: str
    text: str
    start: int
    end: int
    title: str
    title_derived: bool
    label: str
    named: bool
    source: str
    collections: tuple[str, ...]
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    year: int | None = None


class PassageTable:
    """The passages of one build, rows sorted by paper, read from memory-mapped columns."""

    def __init__(self, folder: Path) -> None:
        self.ids, self.texts = StringColumn(folder, "passage_ids"), StringColumn(folder, "texts")
        self.spans = np.load(folder / "spans.npy", mmap_mode="r")  # start, end, paper per row
        self.paper_ids, self.paper_fields = StringColumn(folder, "paper_ids"), StringColumn(folder, "paper_fields")
        self.first_row = np.load(folder / "first_row.npy", mmap_mode="r")
        self.passage_index, self.paper_index = KeyIndex(folder, "passage_ids"), KeyIndex(folder, "paper_ids")
        sizes = {len(self.ids), len(self.texts), len(self.spans), len(self.passage_index)}
        papers = {len(self.paper_ids), len(self.paper_fields), len(self.first_row) - 1, len(self.paper_index)}
        if len(sizes) != 1 or len(papers) != 1 or int(self.first_row[-1]) != len(self.ids):
            raise ValueError(f"the passage table's columns disagree ({sorted(sizes)} rows, {sorted(papers)} papers)")
        self.row = lru_cache(maxsize=4096)(self._read)
        self._paper = lru_cache(maxsize=4096)(self._read_paper)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, row: int) -> PassageRow:
        if not 0 <= row < len(self.ids):
            raise IndexError(row)
        return self.row(row)

    def __iter__(self):
        return (self.row(i) for i in range(len(self.ids)))

    def _read(self, row: int) -> PassageRow:
        start, end, paper = (int(v) for v in self.spans[row])
        fields = self._paper(paper)
        return PassageRow(self.ids[row], self.paper_ids[paper], self.texts[row], start, end, **fields)

    def _read_paper(self, paper: int) -> dict:
        fields = json.loads(self.paper_fields[paper])
        return {**fields, **{k: tuple(fields.get(k) or ()) for k in ("collections", "categories", "authors")}}

    def index_of(self, passage_id: str) -> int | None:
        """The row of a passage id (None: not in this build)."""
        return self.passage_index.find(passage_id)

    def rows_of_papers(self, keep) -> np.ndarray:
        """A mask of the rows of the passages of every paper whose fields (a dict) pass ``keep``."""
        first = np.asarray(self.first_row)
        mask = np.zeros(len(self.ids), dtype=bool)
        for paper in range(len(self.paper_ids)):
            if keep(self._read_paper(paper)):
                mask[first[paper]:first[paper + 1]] = True
        return mask

    def of_paper(self, doc_id: str) -> range:
        """The rows of a paper's passages (empty: not in this build)."""
        paper = self.paper_index.find(doc_id)
        return range(0) if paper is None else range(int(self.first_row[paper]), int(self.first_row[paper + 1]))


@dataclass
class ServingFiles:
    """A build's opened serving files."""

    folder: Path
    table: PassageTable
    lexical: LexicalIndex
    vocabulary: KeyIndex
    collections: list[str]
    categories: list[str]
    years: list[int]


def serving_root(settings: Settings) -> Path:
    """Where serving files are kept: in the index folder, or with a Chroma server in this
    machine's cache (``embeddings.cache_dir``), one folder per server."""
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return Path(settings.embeddings.cache_dir).expanduser() / "serving_files" / f"{url.hostname}-{url.port}"
    return Path(settings.index_dir) / "serving_files"


def serving_folder(settings: Settings, manifest: dict) -> Path:
    """Where the serving files of the build ``manifest`` names are kept."""
    return serving_root(settings) / f"{manifest['passages_collection']}-w{settings.retrieval.title_weight}"


def _read_rows(settings: Settings, papers) -> list[PassageRow]:
    """Every passage of a build, from its paper records (:mod:`rag.index.records`): its text
    cut from the paper's abstract (``abstract[start:end]``), the paper's fields with it."""
    rows = []
    for batch in iter_records(papers, ["documents", "metadatas"]):
        for pid, document, meta in zip(batch["ids"], batch["documents"], batch["metadatas"]):
            abstract, spans = stored_passages(meta, document, settings.passages)
            meta = relabelled(meta, abstract)
            for index, (start, end) in enumerate(spans):
                rows.append(PassageRow(
                    passage_id(pid, index), pid, abstract[start:end], start, end,
                    meta["title"], bool(meta.get("title_derived")), meta["label"],
                    bool(meta.get("named")), meta.get("source", ""),
                    tuple(meta.get("collections") or ()), tuple(meta.get("categories") or ()),
                    tuple(meta.get("authors") or ()), meta.get("year"),
                ))
    rows.sort(key=lambda r: (r.doc_id, r.start, r.id))
    return rows


def _crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            crc = zlib.crc32(block, crc)
    return crc


def _write_table(folder: Path, rows: list[PassageRow]) -> list[PassageRow]:
    """Write the passage table of ``rows`` (sorted by paper); returns each paper's first row."""
    papers = list(dict.fromkeys(r.doc_id for r in rows))
    paper_of = {doc_id: i for i, doc_id in enumerate(papers)}
    first: dict[str, int] = {}
    for i, r in enumerate(rows):
        first.setdefault(r.doc_id, i)
    ids = [r.id for r in rows]
    write_strings(folder, "passage_ids", ids)
    write_keys(folder, "passage_ids", ids)
    write_strings(folder, "texts", (r.text for r in rows))
    spans = [(r.start, r.end, paper_of[r.doc_id]) for r in rows]
    np.save(folder / "spans.npy", np.asarray(spans, dtype=np.int64).reshape(-1, 3))
    write_strings(folder, "paper_ids", papers)
    write_keys(folder, "paper_ids", papers)
    heads = [rows[first[p]] for p in papers]
    write_strings(folder, "paper_fields", (json.dumps({
        "title": r.title, "title_derived": r.title_derived, "label": r.label, "named": r.named,
        "source": r.source, "collections": r.collections, "categories": r.categories,
        "authors": r.authors, "year": r.year}) for r in heads))
    np.save(folder / "first_row.npy", np.asarray([first[p] for p in papers] + [len(rows)], dtype=np.int64))
    return heads


def write_serving_files(settings: Settings, papers, folder: Path) -> int:
    """Write the serving files of a build (from its ``papers`` collection) to ``folder``
    (through a temporary folder beside it, renamed at the end: a reader never sees half of
    them); returns the number of passages."""
    rows = _read_rows(settings, papers)
    temporary = folder.parent / f".{folder.name}.{uuid.uuid4().hex[:8]}"
    temporary.mkdir(parents=True)
    try:
        heads = _write_table(temporary, rows)
        words = vocabulary(f"{r.title} {r.text} {' '.join(r.authors)}" for r in rows)  # authors: "Kaplan et al."
        write_keys(temporary, "vocabulary", sorted(words))
        weight = settings.retrieval.title_weight
        LexicalIndex([(f"{r.title} " * weight if not r.title_derived else "") + r.text for r in rows]
                     ).save(temporary / "lexical")
        files = sorted(p for p in temporary.rglob("*") if p.is_file())
        meta = {
            "format": FORMAT, "passages": len(rows), "papers": len(heads),
            "collections": sorted({c for r in heads for c in r.collections}),
            "categories": sorted({c for r in heads for c in r.categories}),
            "years": sorted({r.year for r in heads if r.year is not None}),
            "files": {str(p.relative_to(temporary)): [p.stat().st_size, _crc(p)] for p in files},
        }
        (temporary / META).write_text(json.dumps(meta, indent=1))
        try:
            os.rename(temporary, folder)
        except OSError:  # another process wrote them first (or a damaged copy is in the way)
            if folder.exists() and _check(folder, len(rows)) is None:
                return len(rows)
            shutil.rmtree(folder, ignore_errors=True)
            os.rename(temporary, folder)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return len(rows)


def _check(folder: Path, passages: int | None) -> str | None:
    """What is wrong with the serving files in ``folder`` (None: nothing)."""
    try:
        meta = json.loads((folder / META).read_text())
    except FileNotFoundError:
        return "they are missing"
    except (OSError, ValueError) as error:
        return f"{META} cannot be read ({error})"
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return "they were written in another format"
    if passages is not None and meta.get("passages") != passages:
        return f"they hold {meta.get('passages')} passages, the index {passages}"
    for name, (size, crc) in meta.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != size:
            return f"{name} is {path.stat().st_size} bytes, {size} were written"
        if _crc(path) != crc:
            return f"{name} is damaged (its checksum differs)"
    return None


def _open(folder: Path) -> ServingFiles:
    meta = json.loads((folder / META).read_text())
    return ServingFiles(folder, PassageTable(folder), LexicalIndex.load(folder / "lexical"),
                        KeyIndex(folder, "vocabulary"), meta["collections"], meta["categories"], meta["years"])


def open_serving_files(settings: Settings, manifest: dict, papers) -> ServingFiles:
    """The serving files of the live build, checked; written first when they are missing, and
    written again (with a warning) when they are damaged. Files of other builds are removed."""
    folder = serving_folder(settings, manifest)
    problem = _check(folder, manifest.get("passage_count"))
    if problem is None:
        try:
            return _open(folder)
        except (OSError, ValueError, KeyError) as error:
            problem = f"they cannot be opened ({error})"
    if problem != "they are missing" or manifest.get("serving_files"):
        log.warning("The serving files in %s cannot be used: %s. Writing them again from the index.",
                    folder, problem)
    shutil.rmtree(folder, ignore_errors=True)
    write_serving_files(settings, papers, folder)
    return _open(folder)


def remove_other_builds(root: Path, keep: set[str], grace_seconds: float = 3600.0) -> None:
    """Delete serving files of builds not named in ``keep``, and temporary folders left by
    writers that died (older than ``grace_seconds``: a younger one may still be written)."""
    if not root.is_dir():
        return
    for entry in root.iterdir():
        young = time.time() - entry.stat().st_mtime < grace_seconds
        if entry.name not in keep and not (entry.name.startswith(".") and young):
            shutil.rmtree(entry, ignore_errors=True)
