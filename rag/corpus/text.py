"""Text normalisation, sentence splitting and tokenising: done once, the same way everywhere."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Invisible code points, a known way to hide or spoof text: every format character (Unicode
# category Cf: zero-width, direction controls, tag characters...) and every other
# default-ignorable one (combining grapheme joiner, Hangul fillers, variation selectors...).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
    "\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f"
    "\ufeff\uffa0\ufff0-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # lone halves, as JSON "\\ud800" escapes give
_WHITESPACE = re.compile(r"\s+")
_ID_KEY = re.compile(r"[^a-z0-9]+")
_LATEX_ESCAPES = {r"\%": "%", r"\&": "&", r"\_": "_", r"\#": "#"}
# Superscripts and subscripts, which NFKC would flatten into the digits beside them ("10¹" → "101").
_SCRIPTS = re.compile("([\u00b2\u00b3\u00b9\u2070-\u209f]+)")

# A sentence ends at . ! or ? followed by whitespace and a character that can start a sentence.
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?\s+(?=[A-Z0-9\"'(\[\\$])")
_ABBREVIATIONS = frozenset((
    "e.g.", "i.e.", "et al.", "vs.", "cf.", "fig.", "figs.", "eq.", "eqs.", "sec.", "approx.",
    "no.", "dr.", "mr.", "ms.", "prof.", "st.", "resp.", "ca.", "(e.g.", "(i.e.", "(cf.",
))
_INITIAL = re.compile(r"(?:^|\s)[A-Z]\.$")


def normalize_text(text: str) -> str:
    """Return ``text`` with Unicode NFKC except for superscripts and subscripts ("10⁻²" stays, not
    "10−2"), no invisible or control characters (a lone surrogate becomes U+FFFD), simple LaTeX
    escapes (``\\%``) undone and every whitespace run collapsed to one space."""
    pieces = _SCRIPTS.split(_SURROGATE.sub("\ufffd", text))
    text = "".join(piece if i % 2 else unicodedata.normalize("NFKC", piece) for i, piece in enumerate(pieces))
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    for escaped, plain in _LATEX_ESCAPES.items():
        text = text.replace(escaped, plain)
    return _WHITESPACE.sub(" ", text).strip()


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds half of a UTF-16 surrogate pair (it cannot be encoded as UTF-8)."""
    return bool(_SURROGATE.search(text))


def strip_invisible(text: str) -> str:
    """``text`` without invisible code points and with control characters as spaces (no other
    change: for questions, which are not otherwise normalised)."""
    return _CONTROL.sub(" ", _INVISIBLE.sub("", text))


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


def paper_id(abstract: str) -> str:
    """Stable id of a paper derived from its normalised abstract (case and punctuation folded)."""
    key = _ID_KEY.sub(" ", normalize_text(abstract).casefold()).strip()
    return "p" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
