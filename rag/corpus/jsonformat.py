"""One JSONL record as a paper: the arXiv metadata snapshot, a BEIR ``corpus.jsonl`` line or
our own fields. Every field is checked for its type; a field of the wrong type is left out
(the caller warns about it), a record with no usable abstract gives no paper."""

from __future__ import annotations

import re

from ..models import Paper
from .text import normalize_text, paper_id, short_label

_YEAR = re.compile(r"\s*(\d{4})\b")


class BadField(ValueError):
    """A field of a record has the wrong type; the message names it and says what it must be."""


def _text(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadField(f"field '{key}' must be text, not {type(value).__name__}")
    return normalize_text(value)


def _texts(record: dict, key: str, split: str | None = None) -> list[str]:
    """A field holding text or a list of texts (``split``: how one text separates values)."""
    value = record.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(split) if split else [value]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        parts = value
    else:
        raise BadField(f"field '{key}' must be text or a list of texts")
    return [p for p in (normalize_text(v) for v in parts) if p]


def _parsed_authors(record: dict) -> list[str]:
    """arXiv's ``authors_parsed``: ``[[last, first, suffix], ...]`` as "first last"."""
    value = record.get("authors_parsed")
    if value is None:
        return []
    if not (isinstance(value, list)
            and all(isinstance(a, list) and all(isinstance(p, str) for p in a) for a in value)):
        raise BadField("field 'authors_parsed' must be a list of [last, first, ...] lists of texts")
    names = (normalize_text(" ".join(p for p in reversed(a[:2]) if p)) for a in value)
    return [n for n in names if n]


def _year(record: dict) -> int | None:
    for key in ("year", "update_date", "published"):
        value = record.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise BadField(f"field '{key}' must be a year or a date text")
        match = _YEAR.match(str(value))
        if match:
            return int(match.group(1))
    return None


def _id(record: dict) -> str | None:
    for key in ("id", "_id"):
        value = record.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise BadField(f"field '{key}' must be text or a whole number")
        return str(value).strip() or None
    return None


def _first_of(record: dict, keys: tuple[str, ...], reader) -> object:
    for key in keys:
        if record.get(key) not in (None, "", []):
            return reader(record, key)
    return None


def paper_from_json(record: dict, source: str) -> tuple[Paper | None, list[str]]:
    """The paper of one JSON object, and what was wrong with it (each a field left out)."""
    problems: list[str] = []

    def field(reader, *args, default=None):
        try:
            return reader(record, *args)
        except BadField as error:
            problems.append(f"{error}; field ignored")
            return default

    abstract = field(lambda r: _first_of(r, ("abstract", "text"), _text)) or ""
    if not abstract:
        return None, problems
    title = field(_text, "title") or ""
    authors = field(_parsed_authors, default=[]) or field(_texts, "authors", ",", default=[])
    return Paper(
        id=field(_id) or paper_id(abstract),
        title=title or short_label(abstract),
        title_derived=not title,
        abstract=abstract,
        collections=field(lambda r: _first_of(r, ("collection", "collections"), _texts), default=None) or [],
        venue=field(lambda r: _first_of(r, ("venue", "journal-ref"), _text)) or None,
        authors=authors,
        year=field(_year),
        categories=field(_texts, "categories", " ", default=[]),
        sources=[source],
    ), problems
