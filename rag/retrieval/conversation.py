"""Turn a follow-up question into a standalone retrieval query using the chat history."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ..corpus.names import mentioned_names

_ANAPHORA = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|this|that|these|those|he|she|his|her|"
    r"the (paper|model|authors|study|work|method|approach|system|abstract))\b",
    re.IGNORECASE,
)
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "last")
_ORDINAL = re.compile(rf"\bthe\s+({'|'.join(_ORDINALS)})\s+(?:one|paper|model|method|study|work|abstract|result|line)\b",
                      re.IGNORECASE)
_MARKER = re.compile(r"\s*\[\d+\]")
_IT = re.compile(r"\b(?:it|its)\b", re.IGNORECASE)
_EXPLETIVE_IT = re.compile(r"\b(?:is|was|isn't|wasn't)\s+it\s+(?:true|possible|fair|correct|right|accurate|the case)\b|"
                           r"\bit\s+(?:seems|appears|turns out|is (?:true|said|claimed|known|possible))\b", re.IGNORECASE)
_CONTINUATION = re.compile(r"^\s*(and|also|so|but|what about|how about|then|or)\b", re.IGNORECASE)

History = Sequence[Any]
CONDENSE_FOLLOW_UP = "{previous} {question}"
"""How a follow-up question is joined to the previous question for retrieval."""
MAX_PREVIOUS_CHARS = 2000
"""A follow-up leans on at most this much of the previous question."""


def _turns(history: History | None, role: str) -> list[str]:
    turns: list[str] = []
    for item in history or []:
        if isinstance(item, str) and role == "user":
            turns.append(item)
        elif isinstance(item, dict) and item.get("role") == role:
            content = item.get("content")
            if isinstance(content, list):  # multimodal shape: [{"type": "text", "text": ...}]
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            if isinstance(content, str):
                turns.append(content)
        elif isinstance(item, (list, tuple)) and len(item) > (role == "assistant"):
            said = item[role == "assistant"]
            if isinstance(said, str):
                turns.append(said)
    return [t.strip() for t in turns if t and t.strip()]


def user_turns(history: History | None) -> list[str]:
    """The user's earlier questions, oldest first, from any common history shape:
    ``[{"role": "user", "content": ...}, ...]``, ``[(user, assistant), ...]`` or ``[str, ...]``."""
    return _turns(history, "user")


def assistant_turns(history: History | None) -> list[str]:
    """The earlier answers, oldest first (the same shapes as :func:`user_turns`; none in ``[str, ...]``)."""
    return _turns(history, "assistant")


def is_follow_up(question: str) -> bool:
    """A question that leans on the previous one: it starts with "and", "what about"...,
    refers back ("they", "the paper", "the second one") or is very short."""
    return bool(_CONTINUATION.search(question) or _ANAPHORA.search(question) or _ORDINAL.search(question)
                or len(question.split()) <= 3)


def previous_question(history: History | None) -> str:
    """The last question of ``history`` as it stands alone: with the questions it followed up,
    back to the last one that was not a follow-up (after "What is GAN-TTS?" and "How was it
    evaluated?", a third question leans on both)."""
    turns = user_turns(history)
    chain = turns[-1:]
    for turn in reversed(turns[:-1]):
        if not is_follow_up(chain[0]):
            break
        chain.insert(0, turn)
    return " ".join(chain)[-MAX_PREVIOUS_CHARS:]


def referred_line(question: str, history: History | None) -> str | None:
    """For "Summarize the second one." after an answer of several lines (a list of papers): that
    line of the latest answer that has it, without its citation markers; None when the question
    refers to no line by its place or no answer has such a line."""
    ordinal = _ORDINAL.search(question)
    if not ordinal:
        return None
    place = _ORDINALS.index(ordinal.group(1).lower())
    for answer in reversed(assistant_turns(history)):
        lines = [line.strip() for line in answer.splitlines() if _MARKER.search(line)]
        if len(lines) > 1 and place < len(lines) or place == len(_ORDINALS) - 1 and lines:  # "the last one"
            return _MARKER.sub("", lines[-1 if place == len(_ORDINALS) - 1 else place]).strip()
    return None


def resolves_follow_up(rewrite: str, question: str, previous: str) -> bool:
    """Whether ``rewrite`` is a faithful standalone form of the follow-up ``question``: it keeps
    every content word of the follow-up and brings in at least one from ``previous``."""
    from ..index.lexical import tokenize

    asked, before, written = set(tokenize(question)), set(tokenize(previous)), set(tokenize(rewrite))
    return asked <= written and bool((written & before) - asked)


def standalone_query(question: str, history: History | None,
                     is_paper: Callable[[str], bool] | None = None) -> str:
    """``question`` as it stands alone: when it is a follow-up whose only reference back is
    "it"/"its" and the previous question names one paper (``is_paper`` says which names are
    papers' names), with that name in their place ("How many parameters does it have?" after
    "What is Chinchilla?" asks "How many parameters does Chinchilla have?"); otherwise joined
    to what it leans on: the line of the last answer it refers to by its place ("the second
    one"), else the previous question as it stands alone (:func:`previous_question`)."""
    if not user_turns(history) or not is_follow_up(question):
        return question
    leaned = leaned_on(question, history)
    named = _named(question, leaned, is_paper) if not referred_line(question, history) else ""
    return named or CONDENSE_FOLLOW_UP.format(previous=leaned, question=question)


def is_joined(query: str, question: str) -> bool:
    """Whether ``query`` is ``question`` joined to what it leans on (:data:`CONDENSE_FOLLOW_UP`),
    not the question itself or a form of it that stands alone."""
    return query != question and query.endswith(question)


def _named(question: str, previous: str, is_paper: Callable[[str], bool] | None) -> str:
    """``question`` with "it" and "its" replaced by the one name ``previous`` mentions, when that
    is a paper's name and no other reference back is left; else ""."""
    names = mentioned_names(previous)
    if (is_paper is None or not _IT.search(question) or _EXPLETIVE_IT.search(question) or len(names) != 1
            or not is_paper(names[0])):  # "Is it true that ...?": "it" is no paper
        return ""
    resolved = _IT.sub(lambda it: names[0] + ("'s" if it.group(0).lower() == "its" else ""), question)
    return "" if _ANAPHORA.search(resolved) or _ORDINAL.search(resolved) else resolved


def leaned_on(question: str, history: History | None) -> str:
    """What the follow-up ``question`` leans on (see :func:`standalone_query`)."""
    return referred_line(question, history) or previous_question(history)
