"""A readable name for every paper: its title where the corpus gives one; otherwise the name
its abstract gives its model or method ("Gopher", "GAN-TTS", "Sparse Transformers"); failing
that, what the abstract says it contributes, cut like a title ("We study empirical scaling laws
for ..." gives "Empirical scaling laws for language model performance ..."); failing that, the
first words of its abstract."""

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
LABEL_RULES = 2
"""Bump when the rules below change: a label stored under other rules is made again when read."""
# "In this work, we develop X and show ...", "Here we study X: ...", "we argue that X ..."
_CONTRIBUTION = re.compile(
    r"^(?:(?:In|Through) (?:this|the present) (?:paper|work|report|study),? |Here,? )?[Ww]e (?:first |then |also )?"
    r"(?:(?:introduce|present|propose|describe|study|identify|investigate|develop|train|focus on)"
    r"(?: and [a-z]+)? (?!that\b)|(?:show|argue|find|demonstrate) that )(.+)")
_CLAUSE_END = re.compile(r"\s*(?:[;:(]|--|\u2014| where | which | whereby | and (?:show|find|demonstrate)\b| by [a-z]+ing\b)")
_REFERS_BACK = re.compile(r"\b(?:this|these|those|such|it|its|our)\b", re.I)  # "for this task": unreadable alone
_BREAK = re.compile(r",? (?:in|for|with|on|using|over|from|to|across|at) ")
_TASK = re.compile(r"^the (?:task|problem) of ", re.I)
MAX_LABEL_WORDS = 12


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


def contribution_label(abstract: str) -> str | None:
    """What the abstract says it contributes, cut like a title: the object of its first "we
    introduce / study / develop ..." sentence (or the claim of "we show that ..."), up to the
    clause's end and at most :data:`MAX_LABEL_WORDS` words (cut before a preposition where one
    falls late enough); None when no sentence says it, or the phrase refers back ("this task")."""
    for sentence in sentences(display_text(abstract)):
        match = _CONTRIBUTION.match(sentence)
        if not match:
            continue
        phrase = _TASK.sub("", _CLAUSE_END.split(match.group(1).rstrip(". "), maxsplit=1)[0]).strip(" ,")
        words = phrase.split()
        if len(words) < 2 or _REFERS_BACK.search(phrase):
            continue
        if len(words) > MAX_LABEL_WORDS:
            head = " ".join(words[:MAX_LABEL_WORDS])
            breaks = [m.start() for m in _BREAK.finditer(head) if len(head[:m.start()].split()) >= 5]
            phrase = head[:breaks[-1]] if breaks else head.rstrip(",;") + "\u2026"
        return phrase[:1].upper() + phrase[1:]
    return None


def paper_label(title: str | None, abstract: str) -> tuple[str, bool]:
    """The readable name of a paper (see the module docstring), and whether it is a name (the
    title or the name of its model) rather than words of its abstract."""
    if title:
        return display_text(title), True
    if name := named_model(abstract):
        return name, True
    if contribution := contribution_label(abstract):
        return contribution, False
    label = short_label(_OPENING.sub("", display_text(abstract)))
    return label[:1].upper() + label[1:], False
