"""The facts a sentence states that its sources must state too: its numbers and its specific
names (acronyms, names with digits or inner capitals, capitalised words inside a sentence). "GPT-4o responds in 500 ms [1]" against a passage saying 232 milliseconds states a
number the passage does not hold; similarity alone would let it pass."""

from __future__ import annotations

import re

from ..corpus.display import display_text
from ..corpus.names import name_key, named_terms
from ..models import Passage

_ENUMERATOR = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+")
_NUMBER = re.compile(r"(?<![\w.-])\d+(?:[.,]\d+)*(?![\w-]*[A-Za-z])")  # not the digits of a name (GPT-4o)
_CAPITALISED = re.compile(r"(?<![.?!:]\s)(?<!^)(?<![\w-])[A-Z][a-z][\w-]*")  # a name, not a sentence's first word


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def _names(text: str) -> set[str]:
    return {name_key(n) for n in named_terms(text)}


def unsupported_facts(claim: str, sources: list[Passage], papers: list[Passage] | None = None) -> list[str]:
    """The numbers of ``claim`` that none of ``sources`` states, and its names that neither
    they nor the other passages of their ``papers`` state (a name is the paper's, a number the
    passage's); empty when every fact is found."""
    claim = _ENUMERATOR.sub("", claim)

    def joined(passages: list[Passage]) -> str:
        return " ".join(f"{p.text} {display_text(p.text)} {p.title} {p.label}" for p in passages)

    numbers = _numbers(joined(sources))
    context = joined(sources + (papers or []))
    names, words = _names(context), {name_key(w) for w in re.findall(r"[\w.\-']+", context)}
    missing = [n for n in sorted(_numbers(claim)) if n not in numbers]
    stated = names | words | {w.rstrip("s") for w in words}
    claimed = named_terms(claim) + [w for w in _CAPITALISED.findall(claim) if not named_terms(w)]
    missing += [name for name in dict.fromkeys(claimed)
                if name_key(name) not in stated and name_key(name).rstrip("s") not in stated]
    return missing
