"""Load a corpus: the seed text files, JSONL (arXiv metadata snapshot, BEIR corpus.jsonl).

A file that cannot be read is skipped with a :class:`CorpusWarning` that names it and says
why; the rest still loads. The same abstract found in several files is one paper.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import CorpusError
from .models import Paper
from .seedformat import SeedFormatError, parse_seed_text
from .text import normalize_text, short_label

SEED_SUFFIXES = {".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
_ID_KEY = re.compile(r"[^a-z0-9]+")


class CorpusWarning(UserWarning):
    """A corpus file, or part of one, was skipped."""


def _warn(path: Path | str, reason: str) -> None:
    warnings.warn(f"{path}: {reason}", CorpusWarning, stacklevel=3)


def paper_id(abstract: str) -> str:
    """Stable id of a paper derived from its normalised abstract (case and punctuation folded)."""
    key = _ID_KEY.sub(" ", normalize_text(abstract).casefold()).strip()
    return "p" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def content_hash(paper: Paper) -> str:
    """Hash of everything indexed about ``paper``: a changed hash means re-embed it."""
    payload = json.dumps(
        [paper.title, paper.abstract, paper.collections, paper.venue, paper.authors,
         paper.year, paper.categories, paper.sources],
        ensure_ascii=False,
    )
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]


def corpus_files(path: Path) -> list[Path]:
    """The corpus files under ``path`` (or ``path`` itself), sorted by name."""
    if not path.exists():
        raise CorpusError(
            f"Corpus not found: {path}. Set RAG_CORPUS (or --corpus) to a folder of seed "
            ".txt/.jsonl files or to one .jsonl file."
        )
    if path.is_file():
        return [path]
    files = sorted(
        p for p in path.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SEED_SUFFIXES | JSONL_SUFFIXES
    )
    if not files:
        raise CorpusError(f"No .txt or .jsonl corpus files in {path}.")
    return files


def _read_text(path: Path) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as error:
        _warn(path, f"cannot be read ({error.strerror}); skipped")
        return None
    if b"\x00" in raw[:8192]:
        _warn(path, "looks binary (it holds NUL bytes); skipped")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _warn(path, f"is not UTF-8 (byte {error.start}); skipped. Re-save it as UTF-8.")
        return None


def iter_seed_file(path: Path) -> Iterator[Paper]:
    """Papers of one seed .txt file (one per record, not yet de-duplicated)."""
    text = _read_text(path)
    if text is None:
        return
    try:
        records, problems = parse_seed_text(text)
    except SeedFormatError as error:
        _warn(path, f"{error}; skipped")
        return
    for problem in problems:
        _warn(path, problem)
    for record in records:
        yield Paper(
            id=paper_id(record.abstract),
            title=record.title or short_label(record.abstract),
            title_derived=record.title is None,
            abstract=record.abstract,
            collections=[record.collection] if record.collection else [],
            venue=record.venue,
            authors=record.authors,
            sources=[path.name],
        )


def _as_list(value: object, split: str | None = None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(split) if split else [value]
        return [normalize_text(p) for p in parts if normalize_text(p)]
    if isinstance(value, list):
        return [normalize_text(" ".join(v) if isinstance(v, list) else str(v)) for v in value]
    return [normalize_text(str(value))]


def _year(record: dict) -> int | None:
    for key in ("year", "update_date", "published"):
        value = record.get(key)
        if value:
            match = re.match(r"\s*(\d{4})", str(value))
            if match:
                return int(match.group(1))
    return None


def paper_from_json(record: dict, source: str) -> Paper | None:
    """A paper from one JSON object (arXiv snapshot, BEIR corpus or our own fields)."""
    abstract = normalize_text(str(record.get("abstract") or record.get("text") or ""))
    if not abstract:
        return None
    given_title = normalize_text(str(record.get("title") or ""))
    given_id = record.get("id", record.get("_id"))
    authors = record.get("authors_parsed") and [
        " ".join(p for p in reversed(a[:2]) if p) for a in record["authors_parsed"]
    ] or _as_list(record.get("authors"), split=",")
    return Paper(
        id=str(given_id).strip() if given_id not in (None, "") else paper_id(abstract),
        title=given_title or short_label(abstract),
        title_derived=not given_title,
        abstract=abstract,
        collections=_as_list(record.get("collection") or record.get("collections")),
        venue=normalize_text(str(record.get("venue") or record.get("journal-ref") or "")) or None,
        authors=authors,
        year=_year(record),
        categories=_as_list(record.get("categories"), split=" "),
        sources=[source],
    )


def iter_jsonl_file(path: Path) -> Iterator[Paper]:
    """Papers of a JSONL file, streamed line by line; bad lines are skipped with a warning."""
    try:
        handle = path.open("rb")
    except OSError as error:
        _warn(path, f"cannot be read ({error.strerror}); skipped")
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                _warn(path, f"line {number} is not valid UTF-8 JSON ({error}); line skipped")
                continue
            if not isinstance(record, dict):
                _warn(path, f"line {number} is not a JSON object; line skipped")
                continue
            paper = paper_from_json(record, path.name)
            if paper is None:
                _warn(path, f"line {number} has no 'abstract' or 'text'; line skipped")
                continue
            yield paper


def iter_corpus(path: Path | str) -> Iterator[Paper]:
    """Every paper record under ``path`` in file order, not yet de-duplicated."""
    for file in corpus_files(Path(path)):
        if file.suffix.lower() in JSONL_SUFFIXES:
            yield from iter_jsonl_file(file)
        else:
            yield from iter_seed_file(file)


def merge_papers(papers: Iterable[Paper]) -> list[Paper]:
    """One paper per id: sources, collections and missing fields of duplicates are merged."""
    merged: dict[str, Paper] = {}
    for paper in papers:
        seen = merged.get(paper.id)
        if seen is None:
            merged[paper.id] = paper
            continue
        if paper.sources and paper.sources[0].endswith(tuple(JSONL_SUFFIXES)) and seen.sources == paper.sources:
            merged[paper.id] = paper  # a later line of the same JSONL (a newer version) wins
            continue
        for name in ("sources", "collections", "authors", "categories"):
            values = getattr(seen, name)
            values.extend(v for v in getattr(paper, name) if v not in values)
        if seen.title_derived and not paper.title_derived:
            seen.title, seen.title_derived = paper.title, False
        seen.venue = seen.venue or paper.venue
        seen.year = seen.year or paper.year
    return list(merged.values())


def load_corpus(path: Path | str) -> list[Paper]:
    """Load and de-duplicate the corpus at ``path`` (a folder or one file)."""
    papers = merge_papers(iter_corpus(path))
    if not papers:
        raise CorpusError(f"No paper could be loaded from {path}; see the warnings above.")
    return papers
