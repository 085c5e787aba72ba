"""What kind of answer a question asks for, and what it asks about.

Kinds: ``quantity`` (how many, how fast, what fraction...), ``list`` (which papers...),
``comparison`` (how do X and Y differ), ``which`` (which model or method, what is it
called), ``finding`` (what did a paper find or propose), ``definition`` (what is X),
``yesno`` and ``general``. The rules read the question's wording only; they are checked on
the labelled questions of ``evals/data`` (dev half).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from .lexical import tokenize
from .refusal import named_terms

Kind = Literal["quantity", "list", "comparison", "which", "finding", "definition", "yesno", "general"]

_PLURAL_SUBJECT = (r"papers?|abstracts?|works?|articles?|studies|methods|approaches|models|systems|techniques|"
                   r"algorithms|architectures|optimizers|networks|benchmarks|datasets|agents|entries|ones")
_LIST = re.compile(
    rf"^\s*(?:(?:which|what)\s+(?:other\s+|of\s+the\s+)?(?:{_PLURAL_SUBJECT})\b(?<!paper)(?<!abstract)(?<!work)(?<!article)"
    r"|(?:please\s+)?list\b|name\s+(?:the|all|every)\b|(?:are\s+there|is\s+there)\s+(?:any\s+)?(?:papers|abstracts|works)"
    r"|(?:find|show|give)\s+(?:me\s+)?(?:the\s+|all\s+)?(?:papers|abstracts|works)"
    r"|papers?\s+(?:that|which|on|about|describing|using|proposing)|abstracts?\s+(?:that|which|on|about)"
    r"|in\s+which\s+(?:papers|abstracts|works)|(?:which|what)\s+work\s+in\s+the\s+corpus"
    r"|which\s+(?:[\w-]+\s+){0,3}(?:papers|abstracts|works|articles|studies)\b)",
    re.IGNORECASE)
_COMPARISON = re.compile(
    r"\b(?:compare[ds]?|comparison|comparing|differ|differs|differed|difference|differences|different\s+from|"
    r"versus|vs\.?|contrast|contrasting|in\s+common|both|whereas|relate\s+to|agree|disagree|than\s+the\s+earlier)\b"
    r"|\band\b.*\beach\b",
    re.IGNORECASE)
_QUANTITY = re.compile(
    r"\bhow\s+(?:many|much|fast|long|big|large|small|often|far|quickly|deep|wide|accurate|well|cheap|expensive)\b"
    r"|\bwhat\s+(?:is\s+the\s+|was\s+the\s+|were\s+the\s+)?(?:fraction|percentage|percent|proportion|share|number|amount|"
    r"size|accuracy|score|speed|rate|ratio|range|complexity|latency|cost|count|value|resolution)\b"
    r"|\bhow\s+\w+\s+(?:times|fold)\b|\bwhat\s+(?:fvd|fid|mmlu|bleu)\b|\bby\s+how\s+much\b|\bup\s+to\s+how\b",
    re.IGNORECASE)
_MEASURE = re.compile(r"\b(?:accuracy|score|distance|error\s+rate|bit\s+width|width|latency|throughput|perplexity)\b",
                      re.IGNORECASE)
_YESNO = re.compile(r"^\s*(?:is|are|does|do|did|can|could|has|have|was|were|will|would|should)\b", re.IGNORECASE)
_WHICH = re.compile(
    r"^\s*(?:which|what)\s+(?:\w+[\s-]){0,3}?(?:model|method|system|optimi[sz]er|algorithm|architecture|benchmark|dataset|"
    r"approach|agent|network|format|technique|estimator|framework|paper|abstract|work|unit|rule|function|name)\b"
    r"|\bwhat\s+is\s+(?:it|this|the\s+\w+)\s+called\b|\bwhat\s+(?:is|was)\s+the\s+name\b|\bcalled\??$|\bnamed\??$",
    re.IGNORECASE)
_FINDING = re.compile(
    r"\b(?:find|found|finds|show|shows|showed|shown|demonstrate[sd]?|conclude[sd]?|discover(?:ed|s)?|results?|"
    r"learn(?:ed|t)?\s+about|propose[sd]?|introduce[sd]?|contribution|claim[s]?|report[s]?|observe[sd]?)\b",
    re.IGNORECASE)
_DEFINITION = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+(?:a\s+|an\s+|the\s+)?[\w\s-]{1,40}\??\s*$|define\b|what\s+does\s+.+\s+(?:mean|stand\s+for)\b)",
    re.IGNORECASE)
# Words that say what kind of answer is wanted, not what it is about.
_FRAME_WORDS = frozenset(tokenize(
    "paper papers abstract abstracts work works study studies article articles method methods approach approaches "
    "model models system systems fraction percentage percent proportion share number amount value many much "
    "fast long big large small often far quickly use used using uses propose proposed proposes introduce "
    "introduced introduces find found finds show shows showed shown report reported reports compare compared "
    "comparison differ difference different versus contrast both whereas name named called call list "
    "mention mentions mentioned describe describes described discuss discusses discussed present presents "
    "corpus question answer kind type approximately roughly exactly best first exist existing given one two"
))
_QUANTITY_NOUN = re.compile(r"\bhow\s+(?:many|much)\s+((?:[\w-]+\s+){0,2}?[\w-]+?)(?:\s+(?:does|do|did|is|are|was|were|"
                            r"has|have|had|can|could|will|would|went|in|of|for|on|at|to|the|it|they)\b|[?,.]|$)",
                            re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")


@dataclass(frozen=True)
class Question:
    """A question read for its kind (see the module docstring)."""

    text: str
    kind: Kind
    names: list[str] = field(default_factory=list)
    """Specific names it mentions (acronyms, names with digits or capitals)."""
    focus: list[str] = field(default_factory=list)
    """Its content words (stemmed) without the words that only frame the question."""
    measured: list[str] = field(default_factory=list)
    """For a quantity: the stemmed words of what is counted ("how many parameters" → param)."""
    numbers: list[str] = field(default_factory=list)
    """Numbers it states (a claim to check, not a quantity asked for)."""


def question_kind(text: str) -> Kind:
    """The kind of answer ``text`` asks for."""
    if _LIST.search(text):
        return "list"
    if _COMPARISON.search(text):
        return "comparison"
    if _QUANTITY.search(text) or _MEASURE.search(text):
        return "quantity"
    if _WHICH.search(text):
        return "which"
    if _YESNO.search(text):
        return "yesno"
    if _FINDING.search(text):
        return "finding"
    if _DEFINITION.search(text):
        return "definition"
    return "general"


def read_question(text: str) -> Question:
    """``text`` read for its kind, names, focus words, measured quantity and numbers."""
    kind = question_kind(text)
    names = named_terms(text)
    name_tokens = {t for n in names for t in tokenize(n)}
    focus = [t for t in dict.fromkeys(tokenize(text)) if t not in _FRAME_WORDS and t not in name_tokens]
    measured: list[str] = []
    if kind == "quantity":
        match = _QUANTITY_NOUN.search(text)
        if match:
            measured = [t for t in tokenize(match.group(1)) if t not in _FRAME_WORDS]
    return Question(text, kind, names, focus, measured, _NUMBER.findall(text))
