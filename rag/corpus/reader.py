"""Load a corpus: the seed text files, JSONL (arXiv metadata snapshot, BEIR corpus.jsonl).

A file that cannot be read is skipped with a :class:`CorpusWarning` that names it and says
why; the rest still loads. The same abstract found in several files is one paper.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterator
from pathlib import Path

from ..errors import CorpusError
from ..models import Paper
from .jsonformat import paper_from_json
from .seedformat import SeedFormatError, parse_seed_text
from .text import paper_id, short_label

SEED_SUFFIXES = {".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


class CorpusWarning(UserWarning):
    """A corpus file, or part of one, was skipped."""


def _warn(path: Path | str, reason: str, quiet: bool = False) -> None:
    if not quiet:
        warnings.warn(f"{path}: {reason}", CorpusWarning, stacklevel=3)


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
    if not path.is_dir():
        raise CorpusError(
            f"The corpus {path} is neither a regular file nor a folder (a device, a pipe or a "
            "socket). Set RAG_CORPUS (or --corpus) to a folder of .txt/.jsonl files or one .jsonl file."
        )
    try:
        files = sorted(
            p for p in path.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SEED_SUFFIXES | JSONL_SUFFIXES
        )
    except OSError as error:
        raise CorpusError(f"The corpus folder {path} cannot be listed ({error.strerror}). "
                          "Check its permissions or set RAG_CORPUS to another folder.") from error
    if not files:
        raise CorpusError(f"No .txt or .jsonl corpus files in {path}.")
    return files


def _read_text(path: Path, quiet: bool = False) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as error:
        _warn(path, f"cannot be read ({error.strerror}); skipped", quiet)
        return None
    if b"\x00" in raw[:8192]:
        _warn(path, "looks binary (it holds NUL bytes); skipped", quiet)
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _warn(path, f"is not UTF-8 (byte {error.start}); skipped. Re-save it as UTF-8.", quiet)
        return None


def iter_seed_file(path: Path, quiet: bool = False) -> Iterator[Paper]:
    """Papers of one seed .txt file (one per record, not yet de-duplicated)."""
    text = _read_text(path, quiet)
    if text is None:
        return
    try:
        records, problems = parse_seed_text(text)
    except SeedFormatError as error:
        _warn(path, f"{error}; skipped", quiet)
        return
    for problem in problems:
        _warn(path, problem, quiet)
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


def iter_jsonl_file(path: Path, quiet: bool = False) -> Iterator[Paper]:
    """Papers of a JSONL file, streamed line by line; bad lines are skipped with a warning."""
    try:
        handle = path.open("rb")
    except OSError as error:
        _warn(path, f"cannot be read ({error.strerror}); skipped", quiet)
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                _warn(path, f"line {number} is not valid UTF-8 JSON ({error}); line skipped", quiet)
                continue
            if not isinstance(record, dict):
                _warn(path, f"line {number} is not a JSON object; line skipped", quiet)
                continue
            paper, problems = paper_from_json(record, path.name)
            for problem in problems:
                _warn(path, f"line {number}: {problem}", quiet)
            if paper is None:
                _warn(path, f"line {number} has no 'abstract' or 'text'; line skipped", quiet)
                continue
            yield paper


def iter_corpus(path: Path | str, quiet: bool = False) -> Iterator[Paper]:
    """Every paper record under ``path`` in file order, not yet de-duplicated (``quiet``:
    without the warnings, for a second pass over files already reported on)."""
    for file in corpus_files(Path(path)):
        reader = iter_jsonl_file if file.suffix.lower() in JSONL_SUFFIXES else iter_seed_file
        yield from reader(file, quiet=quiet)


def _merge_into(seen: Paper, paper: Paper) -> None:
    """Fold a record of the same paper from another file into ``seen``."""
    for name in ("sources", "collections", "authors", "categories"):
        values = getattr(seen, name)
        values.extend(v for v in getattr(paper, name) if v not in values)
    if seen.title_derived and not paper.title_derived:
        seen.title, seen.title_derived = paper.title, False
    seen.venue = seen.venue or paper.venue
    seen.year = seen.year or paper.year


class CorpusStream:
    """The de-duplicated papers of a corpus, read from disk on every iteration.

    Memory grows with the number of papers' ids, not with their text: a first pass notes
    where each id occurs, and iteration yields each paper once its last record has been read
    (merged with its records in other files; within one JSONL file the last line of an id
    wins, as in arXiv snapshots where a later line is a newer version).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        corpus_files(self.path)  # fail early, with the message, when there is no corpus
        self._plan: tuple[dict, dict, dict] | None = None

    def _scan(self) -> tuple[dict, dict, dict]:
        if self._plan is None:
            last: dict[tuple[str, str], int] = {}  # (source file, id) -> its last record
            for number, paper in enumerate(iter_corpus(self.path)):
                last[(paper.sources[0], paper.id)] = number
            files: dict[str, int] = {}  # id -> how many files hold it
            first: dict[str, int] = {}  # id -> its first kept record (for load order)
            for (_, pid), number in sorted(last.items(), key=lambda item: item[1]):
                files[pid] = files.get(pid, 0) + 1
                first.setdefault(pid, number)
            self._plan = (last, files, first)
        return self._plan

    def __len__(self) -> int:
        return len(self._scan()[1])

    @property
    def ids(self) -> set[str]:
        """The ids of every paper."""
        return set(self._scan()[1])

    def order(self, paper: Paper) -> int:
        """Where ``paper`` first appears in the corpus files (for a stable load order)."""
        return self._scan()[2][paper.id]

    def __iter__(self) -> Iterator[Paper]:
        last, files, _ = self._scan()
        held: dict[str, tuple[Paper, int]] = {}
        for number, paper in enumerate(iter_corpus(self.path, quiet=True)):
            if last.get((paper.sources[0], paper.id)) != number:
                continue  # an older line of the same id in the same JSONL file
            if files[paper.id] == 1:
                yield paper
                continue
            seen, count = held.get(paper.id, (None, 0))
            if seen is None:
                seen = paper
            else:
                _merge_into(seen, paper)
            if count + 1 == files[paper.id]:
                held.pop(paper.id, None)
                yield seen
            else:
                held[paper.id] = (seen, count + 1)


def stream_corpus(path: Path | str) -> CorpusStream:
    """The corpus at ``path`` as a :class:`CorpusStream`; raises when no paper loads."""
    stream = CorpusStream(path)
    if not len(stream):
        raise CorpusError(f"No paper could be loaded from {path}; see the warnings above.")
    return stream


def load_corpus(path: Path | str) -> list[Paper]:
    """Load and de-duplicate the corpus at ``path`` (a folder or one file) into memory, in
    the order papers first appear (see :class:`CorpusStream` for large corpora)."""
    stream = stream_corpus(path)
    return sorted(stream, key=stream.order)
