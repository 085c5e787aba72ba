"""Turn a follow-up question into a standalone retrieval query using the chat history."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_ANAPHORA = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|this|that|these|those|he|she|his|her|"
    r"the (paper|model|authors|study|work|method|approach|system|abstract))\b",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(r"^\s*(and|also|so|but|what about|how about|then|or)\b", re.IGNORECASE)

History = Sequence[Any]
CONDENSE_FOLLOW_UP = "{previous} {question}"
"""How a follow-up question is joined to the previous question for retrieval."""
MAX_PREVIOUS_CHARS = 2000
"""A follow-up leans on at most this much of the previous question."""


def user_turns(history: History | None) -> list[str]:
    """The user's earlier questions, oldest first, from any common history shape:
    ``[{"role": "user", "content": ...}, ...]``, ``[(user, assistant), ...]`` or ``[str, ...]``."""
    turns: list[str] = []
    for item in history or []:
        if isinstance(item, str):
            turns.append(item)
        elif isinstance(item, dict) and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, list):  # multimodal shape: [{"type": "text", "text": ...}]
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            if isinstance(content, str):
                turns.append(content)
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            turns.append(item[0])
    return [t.strip() for t in turns if t and t.strip()]


def is_follow_up(question: str) -> bool:
    """A question that leans on the previous one: it starts with "and", "what about"...,
    refers back ("they", "the paper") or is very short."""
    return bool(_CONTINUATION.search(question) or _ANAPHORA.search(question)
                or len(question.split()) <= 3)


def resolves_follow_up(rewrite: str, question: str, previous: str) -> bool:
    """Whether ``rewrite`` is a faithful standalone form of the follow-up ``question``: it keeps
    every content word of the follow-up and brings in at least one from ``previous``."""
    from ..index.lexical import tokenize

    asked, before, written = set(tokenize(question)), set(tokenize(previous)), set(tokenize(rewrite))
    return asked <= written and bool((written & before) - asked)


def standalone_query(question: str, history: History | None) -> str:
    """``question``, joined to the previous user question when it is a follow-up."""
    turns = user_turns(history)
    if not turns or not is_follow_up(question):
        return question
    return CONDENSE_FOLLOW_UP.format(previous=turns[-1][:MAX_PREVIOUS_CHARS], question=question)
