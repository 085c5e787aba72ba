"""Text normalisation, sentence splitting and tokenising: done once, the same way everywhere."""

from __future__ import annotations

import re
import unicodedata

# Zero-width and direction-control characters: invisible, and a known way to hide text.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")
_LATEX_ESCAPES = {r"\%": "%", r"\&": "&", r"\_": "_", r"\#": "#"}

# A sentence ends at . ! or ? followed by whitespace and a character that can start a sentence.
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?\s+(?=[A-Z0-9\"'(\[\\$])")
_ABBREVIATIONS = frozenset((
    "e.g.", "i.e.", "et al.", "vs.", "cf.", "fig.", "figs.", "eq.", "eqs.", "sec.", "approx.",
    "no.", "dr.", "mr.", "ms.", "prof.", "st.", "resp.", "ca.", "(e.g.", "(i.e.", "(cf.",
))
_INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")


def normalize_text(text: str) -> str:
    """Return ``text`` with Unicode NFKC, no invisible or control characters, simple LaTeX
    escapes (``\\%``) undone and every whitespace run collapsed to one space."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    for escaped, plain in _LATEX_ESCAPES.items():
        text = text.replace(escaped, plain)
    return _WHITESPACE.sub(" ", text).strip()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split normalised ``text`` into sentences; return ``(start, end)`` offsets into it.

    ``text[start:end]`` is the sentence without surrounding whitespace.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group(0).rstrip())
        candidate = text[start:end]
        words = candidate.lower().split()
        if words[-1] in _ABBREVIATIONS or " ".join(words[-2:]) in _ABBREVIATIONS or _INITIAL.search(candidate):
            continue
        spans.append((start, end))
        start = match.end()
    if start < len(text):
        end = len(text.rstrip())
        if end > start:
            spans.append((start, end))
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (see :func:`sentence_spans`)."""
    return [text[s:e] for s, e in sentence_spans(text)]


def short_label(text: str, max_words: int = 12) -> str:
    """A short title-like label from the start of ``text`` (its first sentence, cut at a word)."""
    spans = sentence_spans(text)
    first = text[spans[0][0]:spans[0][1]] if spans else text
    words = first.rstrip(".").split()
    label = " ".join(words[:max_words])
    return label + ("…" if len(words) > max_words else "")
