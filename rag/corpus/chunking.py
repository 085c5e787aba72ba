"""Split abstracts into passages of a few whole sentences, with exact character offsets."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Paper
from ..settings import PassageSettings
from .text import sentence_spans


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of one paper before it is indexed: ``abstract[start:end] == text``."""

    id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int


def passage_id(paper_id: str, index: int) -> str:
    """The id of a paper's ``index``-th passage."""
    return f"{paper_id}:{index}"


def passage_ids(paper_id: str, count: int) -> list[str]:
    """The ids of a paper's ``count`` passages."""
    return [passage_id(paper_id, i) for i in range(count)]


def passage_spans(text: str, settings: PassageSettings) -> list[tuple[int, int]]:
    """Windows of ``settings.sentences`` sentences (sharing ``settings.overlap``), each no
    longer than ``settings.max_chars`` unless a single sentence already is."""
    spans = sentence_spans(text)
    if not spans:
        return []
    step = max(1, settings.sentences - settings.overlap)
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(spans):
        last = first
        while (
            last + 1 < len(spans)
            and last + 1 - first < settings.sentences
            and spans[last + 1][1] - spans[first][0] <= settings.max_chars
        ):
            last += 1
        windows.append((spans[first][0], spans[last][1]))
        if last == len(spans) - 1:
            break
        first = min(first + step, last + 1) if last - first + 1 >= settings.sentences else last + 1
    return windows


def chunk_paper(paper: Paper, settings: PassageSettings) -> list[Chunk]:
    """The passages of ``paper``'s abstract."""
    return [
        Chunk(passage_id(paper.id, i), paper.id, i, paper.abstract[start:end], start, end)
        for i, (start, end) in enumerate(passage_spans(paper.abstract, settings))
    ]
