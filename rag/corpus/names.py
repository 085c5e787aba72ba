"""Refusal signals beyond the similarity threshold.

A question that names something specific (an acronym, a model name with digits, a
camel-cased name such as ``ResNet``) which no passage of the corpus ever mentions is about
something the corpus does not hold: "What noise schedule does DDPM use?" against a corpus
without DDPM. Similarity alone cannot tell, since the rest of such a question often matches
a neighbouring paper well.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

_WORD = re.compile(r"[A-Za-z0-9][\w.\-']*[A-Za-z0-9]|[A-Za-z0-9]")
_DIMENSIONS = re.compile(r"^\d+(?:[x×]\d+)+$")  # "8x8" is a size, not a name
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
        if (_NAMED.match(bare) and name_key(bare) not in GENERIC_ACRONYMS and not bare.isdigit()
                and not _DIMENSIONS.match(bare)):
            terms.append(bare)
    return terms


def _known(word: str, known: Container[str]) -> bool:
    """Whether the corpus mentions ``word`` (plurals forgiven; a hyphenated word when each of
    its parts is known: "BFGS-inspired")."""
    key = name_key(word)
    if key in known or key.rstrip("s") in known or key + "s" in known:
        return True
    parts = [p for p in re.split(r"[-/]", word) if p]
    return len(parts) > 1 and all(_known(part, known) for part in parts)


def unknown_terms(question: str, known: Container[str]) -> list[str]:
    """Named terms of ``question`` that the corpus never mentions (plural forms forgiven). An
    owner named before a name the corpus knows ("AI21's Jurassic-1") is no reason to refuse:
    the question is about the known name (a known plain word is no name: "BLOOM's few-shot")."""
    words = _WORD.findall(question)
    missing = []
    for i, word in enumerate(words):
        bare = word[:-2] if word.endswith("'s") else word
        if bare not in named_terms(word) or _known(bare, known):
            continue
        if word.endswith("'s") and i + 1 < len(words) and named_terms(words[i + 1]) and _known(words[i + 1], known):
            continue  # an owner of a known name, not "BLOOM's few-shot performance"
        missing.append(bare)
    return missing + [w for w in unknown_capitalised(question, known) if w not in missing]


_INSIDE_CAPITALISED = re.compile(r"(?<![.?!:;\"'(\[]\s)(?<=\s)([A-Z][a-z]+)(?:'s)?(?![\w-])(?!\s+et\s+al\b)")


def unknown_capitalised(question: str, known: Container[str]) -> list[str]:
    """Capitalised words inside a sentence of ``question`` ("Longformer", "Adafactor", "London")
    that the corpus never mentions: names of what it does not hold. An author cited as such
    ("Kaplan et al.") and the first word of a sentence or quotation are no such names."""
    return [w for w in dict.fromkeys(_INSIDE_CAPITALISED.findall(question.strip())) if not _known(w, known)]


def _name_words(text: str) -> list[str]:
    return [name_key(w).rstrip("s") for w in re.findall(r"[\w'-]+", text)]


def mentions(text: str, name: str) -> bool:
    """Whether ``text`` holds ``name`` as whole words, plurals and case forgiven ("GPT-4" is
    not in "GPT-4o", "GAN" is not in "GAN-TTS", "Sparse Transformer" is in "Sparse Transformers")."""
    haystack, needle = _name_words(text), _name_words(name)
    return bool(needle) and any(haystack[i:i + len(needle)] == needle for i in range(len(haystack)))


_CAPITALISED = re.compile(r"(?<![\w-])[A-Z][\w-]*(?:\s+(?:of\s+|the\s+|for\s+)?[A-Z][\w-]*)*")
_OPENERS = frozenset("what which who whom whose when where why how is are does do did can could has have was "
                     "were will would should compare contrast describe explain list name tell give in on for "
                     "according between both the a an i there".split())


def mentioned_names(text: str) -> list[str]:
    """Capitalised words and runs of them ("Chinchilla", "Neural Optimizer Search") and other
    specific names (acronyms, names with digits), in order, without question words."""
    found: list[str] = []
    for match in _CAPITALISED.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in _OPENERS:
            words = words[1:]
        if words:
            found.append(" ".join(words))
    found += [n for n in named_terms(text) if not any(n in f for f in found)]
    return list(dict.fromkeys(found))
