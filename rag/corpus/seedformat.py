"""Parsers for the two plain-text formats of the seed files.

Format 1 ("abstract list")::

    Tony
    Abstract:First abstract ...
    Abstract:Second abstract ...

Format 2 ("collaborator listing")::

    Goto

    Collaborating Authors

    Bello, Irwan


    Title

    arXiv.org Machine Learning

    Abstract text ...

Records of format 2 are told apart by the layout: two or more blank lines end a record, one
blank line separates its title, venue and abstract (whatever the venue says). A listing with
single blank lines only falls back to finding records by their ``arXiv...`` venue lines.
Both yield :class:`SeedRecord` objects; a record never extends past the next record's start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import normalize_text

ABSTRACT_PREFIX = "Abstract:"
_VENUE = re.compile(r"^(arXiv\.org|arXiv)\b[\w .,&:()/-]{0,80}$", re.IGNORECASE)
_AUTHORS_HEADING = "collaborating authors"


@dataclass
class SeedRecord:
    """One record as found in a seed file, before de-duplication."""

    abstract: str
    line: int
    title: str | None = None
    venue: str | None = None
    collection: str | None = None
    authors: list[str] = field(default_factory=list)


class SeedFormatError(ValueError):
    """The text is in neither seed format."""


def parse_seed_text(text: str) -> tuple[list[SeedRecord], list[str]]:
    """Parse one seed file's text; return its records and warnings about skipped parts."""
    lines = text.splitlines()
    content = [(i, line) for i, line in enumerate(lines, start=1) if line.strip()]
    if not content:
        raise SeedFormatError("the file is empty")
    if any(line.lstrip().startswith(ABSTRACT_PREFIX) for _, line in content[:3]):
        return _parse_abstract_list(content)
    if any(line.strip().lower() == _AUTHORS_HEADING for _, line in content[:4]):
        return _parse_listing(lines)
    raise SeedFormatError(
        "neither seed format: expected a label line followed by 'Abstract:' records, or a "
        "'Collaborating Authors' header followed by title / venue / abstract records"
    )


def _parse_abstract_list(content: list[tuple[int, str]]) -> tuple[list[SeedRecord], list[str]]:
    warnings: list[str] = []
    first_line, first = content[0]
    collection = None if first.lstrip().startswith(ABSTRACT_PREFIX) else normalize_text(first)
    records: list[SeedRecord] = []
    current: list[str] = []
    current_line = 0

    def flush() -> None:
        abstract = normalize_text(" ".join(current))
        if abstract:
            records.append(SeedRecord(abstract, current_line, collection=collection))
        elif current_line:
            warnings.append(f"line {current_line}: empty 'Abstract:' record skipped")

    for number, line in content[0 if collection is None else 1:]:
        stripped = line.lstrip()
        if stripped.startswith(ABSTRACT_PREFIX):
            if current_line:
                flush()
            current, current_line = [stripped[len(ABSTRACT_PREFIX):]], number
        elif current_line:
            current.append(line)  # a wrapped abstract continues on the next line
        else:
            warnings.append(f"line {number}: text before the first 'Abstract:' skipped")
    if current_line:
        flush()
    return records, warnings


def _paragraphs(lines: list[str]) -> list[tuple[int, str, int]]:
    """Groups of consecutive non-blank lines: (line where it starts, its text, blank lines
    before it)."""
    paragraphs: list[tuple[int, str, int]] = []
    buffer: list[str] = []
    start = blanks = gap = 0
    for number, line in enumerate(lines + [""], start=1):
        if line.strip():
            if not buffer:
                start, gap = number, blanks
            buffer.append(line)
            blanks = 0
        else:
            if buffer:
                paragraphs.append((start, " ".join(buffer), gap))
                buffer = []
            blanks += 1
    return paragraphs


def _record_blocks(lines: list[str]) -> list[list[tuple[int, str]]] | None:
    """The listing cut where two or more blank lines separate paragraphs: the header, then one
    block per record (title, venue, abstract). None when the file has no such gaps."""
    blocks: list[list[tuple[int, str]]] = []
    for start, text, gap in _paragraphs(lines):
        if not blocks or gap >= 2:
            blocks.append([])
        blocks[-1].append((start, text))
    return blocks if len(blocks) > 1 else None


def _venue_blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """For a listing with single blank lines only: records found by their 'arXiv...' venue
    line (a record runs up to the title before the next venue line)."""
    paragraphs = [(start, text) for start, text, _ in _paragraphs(lines)]
    venues = [i for i, (_, text) in enumerate(paragraphs) if _VENUE.match(normalize_text(text))]
    if not venues or venues[0] < 1:
        raise SeedFormatError("a 'Collaborating Authors' listing with neither records separated by "
                              "two blank lines nor 'arXiv.org ...' venue lines")
    cuts = [v - 1 for v in venues] + [len(paragraphs)]
    return [paragraphs[: cuts[0]]] + [paragraphs[a:b] for a, b in zip(cuts, cuts[1:])]


def _parse_listing(lines: list[str]) -> tuple[list[SeedRecord], list[str]]:
    warnings: list[str] = []
    blocks = _record_blocks(lines) or _venue_blocks(lines)
    header = [normalize_text(text) for _, text in blocks[0]]
    folded = [h.lower() for h in header]
    collection = header[0] if header and folded[0] != _AUTHORS_HEADING else None
    authors = [h for h in header[folded.index(_AUTHORS_HEADING) + 1:] if h] if _AUTHORS_HEADING in folded else []
    records: list[SeedRecord] = []
    for block in blocks[1:]:
        title_line, title = block[0][0], normalize_text(block[0][1])
        if len(block) < 3:
            what = "no venue line or abstract" if len(block) < 2 else "no abstract"
            warnings.append(f"line {title_line}: record '{title}' has {what}")
            continue
        records.append(
            SeedRecord(
                normalize_text(" ".join(text for _, text in block[2:])),
                title_line,
                title=title,
                venue=normalize_text(block[1][1]),
                collection=collection,
                authors=list(authors),
            )
        )
    return records, warnings
