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


def _paragraphs(lines: list[str]) -> list[tuple[int, str]]:
    """Groups of consecutive non-blank lines, with the line number where each starts."""
    paragraphs: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, line in enumerate(lines + [""], start=1):
        if line.strip():
            if not buffer:
                start = number
            buffer.append(line)
        elif buffer:
            paragraphs.append((start, " ".join(buffer)))
            buffer = []
    return paragraphs


def _parse_listing(lines: list[str]) -> tuple[list[SeedRecord], list[str]]:
    warnings: list[str] = []
    paragraphs = _paragraphs(lines)
    venues = [i for i, (_, text) in enumerate(paragraphs) if _VENUE.match(normalize_text(text))]
    if not venues or venues[0] < 1:
        raise SeedFormatError("a 'Collaborating Authors' listing with no 'arXiv.org ...' venue line")
    header = [normalize_text(text) for _, text in paragraphs[: venues[0] - 1]]
    collection = header[0] if header and header[0].lower() != _AUTHORS_HEADING else None
    authors: list[str] = []
    if _AUTHORS_HEADING in [h.lower() for h in header]:
        after = [h.lower() for h in header].index(_AUTHORS_HEADING) + 1
        authors = [h for h in header[after:] if h]
    records: list[SeedRecord] = []
    for k, v in enumerate(venues):
        title_line, title = paragraphs[v - 1]
        # the abstract runs up to the title of the next record (the paragraph before its venue)
        stop = venues[k + 1] - 1 if k + 1 < len(venues) else len(paragraphs)
        body = paragraphs[v + 1: stop]
        abstract = normalize_text(" ".join(text for _, text in body))
        if not abstract:
            warnings.append(f"line {title_line}: record '{normalize_text(title)}' has no abstract")
            continue
        records.append(
            SeedRecord(
                abstract,
                title_line,
                title=normalize_text(title),
                venue=normalize_text(paragraphs[v][1]),
                collection=collection,
                authors=list(authors),
            )
        )
    return records, warnings
