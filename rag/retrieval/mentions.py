"""Literal mentions: what a list question asks its papers to say ("Which papers report
experiments on CIFAR-10?"), and the words a text mentions, so "CIFAR-10", "CIFAR10" and
"CIFAR 10" compare."""

from __future__ import annotations

import re
from collections.abc import Container

from ..index.lexical import tokenize

# A list question that asks for literal mentions ("Which papers report experiments on CIFAR-10?",
# "Which abstracts mention machine translation?"): its members are the papers that say the thing.
_LITERAL = re.compile(r"\b(?:mention\w*|by\s+name|(?:experiments?|results?|evaluat\w*)\s+(?:on|with)|talk\w*\s+about|"
                      r"discuss\w*|compar\w*\s+against)\b", re.IGNORECASE)
_ALTERNATIVE_BREAK = re.compile(r"[,;:()]|(?<![\w-])(?:or|and|such\s+as|e\.g\.|i\.e\.|whether|including|like|as|where|"
                                r"that|which|with|to|of|on|in|for|about|from)(?![\w-])", re.IGNORECASE)


def singular(stem: str) -> str:
    """A stem without a plural "s" ("gpus" -> "gpu"), so "GPUs" and "TPU Pod" compare."""
    return stem[:-1] if len(stem) > 3 and stem.endswith("s") and not stem.endswith("ss") else stem


_HYPHENATED = re.compile(r"[^\W_]+(?:-[^\W_]+)+")


def _joined_forms(text: str) -> dict[str, str]:
    """Each hyphenated word of ``text`` (as :func:`tokenize` stems it whole) -> its parts' stems
    run together ("CIFAR-10" -> "cifar10", "policy-gradient" -> "policigradient")."""
    return {tokenize(w)[0]: "".join(singular(t) for t in tokenize(w.replace("-", " ")))
            for w in _HYPHENATED.findall(text) if tokenize(w)}


def mention_words(text: str) -> set[str]:
    """The words a text mentions, as :attr:`Question.literal` writes them: each stem (singular),
    and each two neighbouring ones run together, so that "CIFAR-10", "CIFAR10" and "CIFAR 10"
    all mention "cifar10"."""
    stems = [singular(t) for t in tokenize(text) if "-" not in t]
    return {*stems, *(a + b for a, b in zip(stems, stems[1:])), *_joined_forms(text).values()}


def literal_alternatives(text: str, names: list[str], ignored: Container[str], start: int = 0) -> list[list[str]]:
    """What a list question ``text`` asks papers to mention (in its words from ``start``, after
    "Which papers"), one stemmed word list per alternative (each of one to three words,
    ``ignored`` stems left out), when it asks for literal mentions; else ``[]``."""
    if not (_LITERAL.search(text) or any(ch.isdigit() for n in names for ch in n)):
        return []
    alternatives = []
    joined = _joined_forms(text)
    for part in _ALTERNATIVE_BREAK.split(text[start:]):
        tokens = list(dict.fromkeys(tokenize(part)))
        pieces = {p for w in _HYPHENATED.findall(part) for p in tokenize(w)[1:]}  # "cifar-10", not "cifar", "10"
        stems = [joined.get(t) or singular(t) for t in tokens if t not in pieces and t not in ignored]
        if 1 <= len(stems) <= 3 and stems not in alternatives:
            alternatives.append(stems)
    for name in names:  # "AI21's Jurassic-1": either name will do
        stems = [joined.get(t) or singular(t) for t in tokenize(name) if "-" in t or "-" not in name]
        if stems and [stems] != alternatives[-1:] and stems not in alternatives:
            alternatives.append(stems)
    return alternatives
