"""A readable name for every paper: its title where the corpus gives one; otherwise the name
its abstract gives its model or method ("Gopher", "GAN-TTS", "Sparse Transformers"); failing
that, the first words of its abstract."""

from __future__ import annotations

import re
from collections import Counter

from .display import display_text
from .names import GENERIC_ACRONYMS
from .text import sentences, short_label

_NAME = r"[A-Z0-9][\w+-]*(?:\.\d+)?(?:[- ][A-Z0-9][\w+-]*(?:\.\d+)?){0,4}"  # capitalised words, digits, dashes
_NAMED_PATTERNS = [
    # "a 280 billion parameter model called Gopher", "which we term Noise-Reuse Evolution Strategies (NRES)"
    re.compile(rf"\b(?:called|named|dubbed|termed|(?:we|We) (?:call|term|name|dub)(?: [a-z][\w-]*){{0,6}}) "
               rf"(?:the )?({_NAME}(?: \([\w-]+\))?)"),
    # "We refer to the immediate result as Learnt Policy Optimisation (LPO)"
    re.compile(rf"\brefer to (?:[a-z][\w-]* ){{0,5}}as ({_NAME}(?: \([\w-]+\))?)"),
    # "our Retrieval-Enhanced Transformer (RETRO)", "the proposed architecture, the Gated Transformer-XL (GTrXL)"
    re.compile(rf"\b(?:our|proposed [a-z]+,? the) ({_NAME} \([\w-]+\))"),
    # "we introduce the Beyond the Imitation Game benchmark (BIG-bench)"
    re.compile(r"\b(?:[Ww]e) (?:introduce|present|propose)(?: the| a| an)? ([A-Z][^,.;()]{2,50}? \([\w-]+\))"),
    # "We introduce Codex, a GPT language model", "we train GPT-3, an autoregressive language model"
    re.compile(rf"\b(?:[Ww]e) (?:introduce|present|propose|train|release|describe|develop) (?:the )?({_NAME}),? (?:a|an|the|which)\b"),
    # "the Flexpoint data format", "we present a Deep Generative Model for ..."
    re.compile(rf"\b(?:[Ww]e) (?:introduce|present|propose) (?:a |an |the )?({_NAME}) "
               r"(?:data format|format|benchmark|model|method|algorithm|framework|architecture|system|for)\b"),
    # "a predicted compute-optimal model, Chinchilla, that uses"
    re.compile(rf"\b(?:model|method|optimizer|network|system|agent), ({_NAME}), (?:that|which|a|an)\b"),
]
_SUBJECT = re.compile(rf"^(?:On [^.]{{1,40}}?, )?({_NAME}) (?:is|became|was|are)\b")  # "GPT-4o is an ...", "On April 13th, 2019, OpenAI Five became"
_TERM = re.compile(r"\b(?=[\w-]*[A-Z])[A-Z][\w-]*[A-Z0-9][\w-]*\b|\b[A-Z][a-z]+(?:-[A-Z0-9][\w]*)+\b")
_OPENING = re.compile(r"^In (?:this|the present) (?:paper|work|study),? (?:we (?:propose|present|introduce|study|describe) )?")
MAX_NAME = 60


def _acceptable(name: str) -> bool:
    words = name.split()
    return (0 < len(name) <= MAX_NAME and not name.lower().startswith(("in this", "this ", "we "))
            and any(ch.isupper() or ch.isdigit() for ch in words[0]) and words[0].lower() not in {"a", "an", "the"})


def named_model(abstract: str) -> str | None:
    """The name the abstract gives what it introduces, or None."""
    text = display_text(abstract)
    for pattern in _NAMED_PATTERNS:
        for match in pattern.finditer(text):
            name = match.group(1).strip(" .,-")
            if _acceptable(name):
                return name
    first = sentences(text)[:1]
    match = _SUBJECT.match(first[0]) if first else None
    if match and _acceptable(match.group(1)) and match.group(1).split()[0] not in {"In", "The", "This", "Our"}:
        return match.group(1)
    counts = Counter(t for t in _TERM.findall(text) if t.lower() not in GENERIC_ACRONYMS)
    frequent = [t for t, n in counts.most_common(3) if n >= 3]
    return frequent[0] if frequent else None


def paper_label(title: str | None, abstract: str) -> tuple[str, bool]:
    """The readable name of a paper (see the module docstring), and whether it is a name (the
    title or the name of its model) rather than its first words."""
    if title:
        return display_text(title), True
    if name := named_model(abstract):
        return name, True
    label = short_label(_OPENING.sub("", display_text(abstract)))
    return label[:1].upper() + label[1:], False
