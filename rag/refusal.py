"""Refusal signals beyond the similarity threshold.

A question that names something specific (an acronym, a model name with digits, a
camel-cased name such as ``ResNet``) which no passage of the corpus ever mentions is about
something the corpus does not hold: "What noise schedule does DDPM use?" against a corpus
without DDPM. Similarity alone cannot tell, since the rest of such a question often matches
a neighbouring paper well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[A-Za-z0-9][\w.\-']*[A-Za-z0-9]|[A-Za-z0-9]")
_NAMED = re.compile(r"^(?=.*[A-Za-z])(?:.*\d.*|(?:.*[A-Z]){2,}.*|[a-z]+[A-Z].*)$")
# Field-wide acronyms a question may use although the abstracts spell them out.
GENERIC_ACRONYMS = frozenset(
    "ai ml dl nlp cv rl llm llms lm lms gpu gpus tpu tpus cpu cpus api apis nn nns dnn dnns "
    "cnn cnns rnn rnns lstm lstms gan gans vae vaes sota qa faq url urls pdf id ids ok tl dr "
    "2d 3d 1d".split()
)


def name_key(word: str) -> str:
    """A word folded for comparing names: lower case, no hyphens, dots, apostrophes or possessive."""
    word = word.lower()
    if word.endswith("'s"):
        word = word[:-2]
    return re.sub(r"[\-.']", "", word)


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Normalised words of ``texts`` (lower case; hyphens, dots and possessives removed),
    and the parts of hyphenated words."""
    distinct: set[str] = set()
    for text in texts:  # each distinct word is normalised once (a corpus repeats most words)
        distinct.update(_WORD.findall(text.replace("\\", " ")))
    words: set[str] = set()
    for word in distinct:
        words.add(name_key(word))
        words.update(name_key(part) for part in re.split(r"[\-/]", word) if part)
    return words


def named_terms(question: str) -> list[str]:
    """The specific names in ``question``: acronyms, names with digits, camel case."""
    terms = []
    for word in _WORD.findall(question):
        bare = word[:-2] if word.endswith("'s") else word
        if _NAMED.match(bare) and name_key(bare) not in GENERIC_ACRONYMS and not bare.isdigit():
            terms.append(bare)
    return terms


def unknown_terms(question: str, known: set[str]) -> list[str]:
    """Named terms of ``question`` that the corpus never mentions (plural forms forgiven)."""
    missing = []
    for term in named_terms(question):
        key = name_key(term)
        if key not in known and key.rstrip("s") not in known and key + "s" not in known:
            missing.append(term)
    return missing
