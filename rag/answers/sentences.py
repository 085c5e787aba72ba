"""The sentences of retrieved passages as candidates for an extractive answer, and their scores.

A sentence is scored by embedding similarity to the question (for a question about one paper,
the mean of that and the similarity to its asking clause, mostly the latter, with only the
asking sentence's words counted, when the question describes its paper before it asks; for a
paper's own sentences, halfway to the question without that paper's name; for a summary,
similarity to its paper's gist) plus the share of the question's content words it holds, plus a
bonus for naming what the question names besides its paper ("Jurassic-1"), then by what the
kind of question wants (a number, an introduction, a result, a definition, where a paper was
tested, a sentence listing the things a "which networks" question asks for) and against
background (what an abstract says before it says what its own work does), unless the question
asks why: then for background, and for sentences that give a reason (what a question asks beyond
its kind is read in :mod:`rag.answers.asking`). Weights live in
:class:`rag.settings.AnswerSettings`, tuned on the dev half of ``evals/data``."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..corpus.display import display_text
from ..corpus.names import mentions
from ..corpus.text import sentence_spans
from ..index.embeddings import Embedder
from ..index.lexical import tokenize
from ..models import Passage
from ..retrieval.quantities import NUMBER_WORDS
from ..retrieval.questions import (
    PLURAL_THING,
    Question,
    asks_for_a_thing,
    asks_one_paper,
    last_sentence,
    wants_number,
)
from ..settings import AnswerSettings
from .asking import (
    asked_clause,
    asks_how_it_ends,
    asks_motivation,
    asks_why_it_works,
    gives_reason,
    opens_finally,
    says_what_makes_it_so,
)

NUMBER = re.compile(rf"(?<![\w.-])\d+(?:[.,]\d+)*(?![A-Za-z])|\b(?:{'|'.join(NUMBER_WORDS)}|hundreds?|thousands?|"
                    r"millions?|billions?|trillions?|twice|half|double|dozens?)\b", re.IGNORECASE)  # not "GPT-3"
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|this (?:paper|work|study|report|card)|here)\b", re.IGNORECASE)
INTRODUCES = re.compile(r"\b(?:we (?:present|introduce|propose|develop|describe|train|release|call|term|name|dub)|"
                         r"(?:called|named|termed|dubbed)\b|refer to .{0,40}\bas\b)", re.IGNORECASE)
_RESULT = re.compile(r"\b(?:we (?:find|found|show|demonstrate|observe|report|identify|obtain|achieve)|reveal(?:s|ed)?|"
                     r"results? (?:show|indicate|suggest)|outperform\w*|improv\w*|achiev\w*|state[- ]of[- ]the[- ]art|"
                     r"faster|better|exceed\w*|match(?:es|ing)?|reduc\w*|find that|leads? to|enables?|increases?|"
                     r"decreases?)\b", re.IGNORECASE)

# A question asking what a paper was tested on, and a sentence saying what it was tested on.
_ASKS_EVALUATION = re.compile(r"\b(?:(?:test(?:ed)?|evaluated?|benchmark(?:ed)?|validated?|assess(?:ed)?)\s+(?:\w+\s+){0,2}?(?:on|in|with|against)\b|"
                              r"(?:where|how|on what) (?:did|do|does|was|were) (?:they|the authors|it|we) (?:\w+\s+)?"
                              r"(?:test|evaluate|validate|benchmark|assess)\b)", re.IGNORECASE)
_EVALUATES = re.compile(r"\b(?:we (?:\w+ )?(?:validate|evaluate|test|demonstrate|benchmark|apply|assess)\w*\b.*\b(?:on|in|by|with)\b|"
                        r"(?:experiments?|evaluations?|results?) (?:on|in|with)\b|benchmarks?\b|tested on|evaluated on)",
                        re.IGNORECASE)
# "Which networks did they train ...?": several things asked for by name; a sentence listing some.
_ASKS_SEVERAL = re.compile(rf"^\s*(?:which|what)\s+{PLURAL_THING}\s+(?:did|do|does|were|are|have|had)\b", re.IGNORECASE)
_ENUMERATION = re.compile(r"\w[\w-]*(?: [\w-]+){0,4}, [^,;]{2,60}?,? (?:and|or) \w")
_COMPARES = re.compile(r"\b(?:compar\w*|against|versus|vs\.?|relative to)\b", re.IGNORECASE)
_DEFINED = re.compile(r"^\s*what\s+(?:is|are)\s+(?:a\s+|an\s+|the\s+)?([\w\s-]{2,40}?)\s*\??\s*$", re.IGNORECASE)


@dataclass
class Candidate:
    """One sentence of the retrieved passages."""

    number: int  # its passage, numbered from 1
    text: str
    doc_id: str
    position: int  # offset in the abstract (reading order)
    background: bool
    score: float = 0.0
    label: str = ""  # its paper's name, when the paper has one (title or model name)



def candidates(passages: list[Passage]) -> list[Candidate]:
    """Every sentence of ``passages`` once (neighbouring passages share sentences). A sentence
    is background when no sentence of its paper up to it speaks of the paper's own work."""
    seen: set[tuple[str, int]] = set()
    found: list[Candidate] = []
    spoke: dict[str, int] = {}  # paper -> offset of its first sentence about its own work
    for passage in passages:
        for start, end in sentence_spans(passage.text):
            if _FIRST_PERSON.search(passage.text[start:end]) or (passage.named and passage.label in passage.text[start:end]):
                spoke[passage.doc_id] = min(spoke.get(passage.doc_id, 1 << 30), passage.start + start)
    for number, passage in enumerate(passages, start=1):
        for start, end in sentence_spans(passage.text):
            key = (passage.doc_id, passage.start + start)
            if key not in seen:
                seen.add(key)
                background = passage.start + start < spoke.get(passage.doc_id, passage.start if passage.start else 1 << 30)
                found.append(Candidate(number, passage.text[start:end], passage.doc_id, passage.start + start, background,
                                       label=passage.label if passage.named else ""))
    return found


def _share(words: list[str], sentence: str) -> float:
    return len(set(words) & set(tokenize(sentence))) / len(words) if words else 0.0


_STANDS_FOR = re.compile(r"^\s*what\s+(?:does|do)\s+(?:the\s+)?([\w-]{2,20})\s+stand\s+for\b", re.IGNORECASE)


def _expands(question: Question, sentence: str) -> bool:
    """For "What does X stand for?": whether ``sentence`` writes X out before "(X)"."""
    acronym = _STANDS_FOR.match(question.text)
    return bool(acronym and re.search(rf"\w\s*\({re.escape(acronym.group(1))}\)", sentence))


def _defines(question: Question, sentence: str) -> bool:
    """Whether ``sentence`` defines what the question asks to be defined ("X is ...", "X, ...")."""
    match = _DEFINED.match(question.text)
    if not match:
        return False
    term = match.group(1).strip().lower().rstrip("s")
    return bool(re.search(rf"\b{re.escape(term)}s?\b\s*(?:--|—|,|\(|is\b|are\b|refers?\b)", sentence, re.IGNORECASE))


DESCRIBED_WHOLE = 0.4
"""For a question that describes its paper before it asks: the weight of the whole question's
similarity, the rest going to its asking sentence's (the description found the paper; it tells
none of the paper's sentences apart). Tuned on the dev half (0.25 and 0.5 each lost a question)."""


def described(question: Question) -> bool:
    """Whether ``question`` describes its paper in sentences before the one that asks ("I remember
    a trainable optimizer ... . What was it tested on?"): one paper, asked something else."""
    return question.kind not in ("comparison", "list") and last_sentence(question.text) != question.text.strip()


def description(question: Question) -> str:
    """What a question that describes its paper says before it asks ("I remember a trainable
    optimizer ... ."); empty for any other question."""
    return question.text.strip()[: -len(last_sentence(question.text))].strip() if described(question) else ""


def without_names(text: str, names: list[str]) -> str:
    """``text`` without the names ``names`` (and their possessive): "What weaknesses did the
    Codex authors find?" -> "What weaknesses did the authors find?"."""
    for name in names:
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?:'s)?(?![\w-])\s*", "", text, flags=re.IGNORECASE)
    return text


def _similarity(question: Question, found: list[Candidate], shown: list[str], embedder: Embedder) -> np.ndarray:
    """Each candidate's similarity to the question and its asking clause: the closer of the two for
    a comparison or a list (the sides or the category may be named anywhere), else their mean. For the
    sentences of a paper the question names, the mean of that and the similarity to the question
    without the name: once the paper is found, its name tells none of its sentences apart ("What
    weaknesses did the Codex authors find?" should not prefer "Codex powers GitHub Copilot").
    ``shown``: the candidates' texts as displayed."""
    sentences = embedder.encode_cached(shown, corpus=True)

    def closeness(text: str, rows: list[int]) -> np.ndarray:
        asks = embedder.encode_cached([text, asked_clause(text)])
        whole, clause = sentences[rows] @ asks[0], sentences[rows] @ asks[1]
        if question.kind in ("comparison", "list"):
            return np.maximum(whole, clause)
        return (whole + clause) / 2 if not described(question) else DESCRIBED_WHOLE * whole + (1 - DESCRIBED_WHOLE) * clause

    similarity = np.full(len(found), -1.0)
    if question.kind == "summary":  # how close each sentence is to its paper's gist: the mean of its sentences
        for doc_id in dict.fromkeys(c.doc_id for c in found):
            rows = [i for i, c in enumerate(found) if c.doc_id == doc_id]
            gist = sentences[rows].mean(axis=0)
            similarity[rows] = sentences[rows] @ (gist / max(float(np.linalg.norm(gist)), 1e-12))
        return similarity
    for label in dict.fromkeys(c.label for c in found):
        rows = [i for i, c in enumerate(found) if c.label == label]
        similarity[rows] = closeness(question.text, rows)
        names = [n for n in question.sides if label and mentions(label, n)]
        if names:  # halfway: the paper's sentences still rank beside other papers' as a whole
            similarity[rows] = (similarity[rows] + closeness(without_names(question.text, names), rows)) / 2
    return similarity


def score(question: Question, found: list[Candidate], embedder: Embedder, settings: AnswerSettings) -> None:
    """Set each candidate's score for ``question`` (see the module docstring)."""
    if not found:
        return
    shown = [display_text(c.text) for c in found]
    similarity = _similarity(question, found, shown, embedder)
    words = question.focus or question.terms
    if described(question):  # what the described paper is asked, not the words describing it
        asking = set(tokenize(last_sentence(question.text)))
        words = [w for w in words if w in asking] or words
    number_wanted = wants_number(question)
    asked = asks_for_a_thing(question)
    introduce = question.kind == "which" and not question.names and not asked
    names = list(dict.fromkeys(question.names + question.sides))
    asking = last_sentence(question.text)
    evaluation = bool(_ASKS_EVALUATION.search(asking))  # "What was it tested on?"
    several = question.kind == "which" and bool(_ASKS_SEVERAL.search(asking))
    compared_within = question.kind == "comparison" and asks_one_paper(question.text)  # "what did they compare?"
    motivation = asks_motivation(question)
    works = asks_why_it_works(question)
    ends = asks_how_it_ends(question)
    last: dict[str, int] = {}  # each paper's last sentence
    for candidate in found:
        last[candidate.doc_id] = max(last.get(candidate.doc_id, -1), candidate.position)
    for candidate, text, sim in zip(found, shown, similarity):
        value = float(sim) + settings.overlap_weight * _share(words, candidate.text)
        if _names_another(names, candidate, text):  # "how many parameters is Jurassic-1 listed with"
            value += settings.kind_bonus
        if candidate.background:
            value += settings.background_penalty if motivation else -settings.background_penalty
        if motivation and gives_reason(candidate.text):  # "... is limited because ...": a reason given
            value += settings.kind_bonus
        if works and says_what_makes_it_so(candidate.text):  # "parallelisable thanks to an efficient generator"
            value += settings.kind_bonus
        if ends and (candidate.position == last[candidate.doc_id] or opens_finally(candidate.text)):
            value += 3 * settings.kind_bonus  # where an abstract ends, for a question asking how it ends
        if number_wanted and NUMBER.search(candidate.text):
            value += settings.kind_bonus * (1 + bool(set(question.measured[-1:]) & set(tokenize(candidate.text))))
        if introduce and INTRODUCES.search(candidate.text):
            value += settings.kind_bonus
        if asked & set(tokenize(candidate.text)):  # "which frameworks": "frameworks such as TensorFlow"
            value += settings.kind_bonus
        if question.kind in ("finding", "comparison", "summary") and not motivation and _RESULT.search(candidate.text):
            value += settings.kind_bonus
        elif question.kind == "list" and _RESULT.search(candidate.text):
            value += settings.kind_bonus / 2
        if several and _ENUMERATION.search(candidate.text):
            value += 2 * settings.kind_bonus
        if compared_within and _COMPARES.search(candidate.text):
            value += settings.kind_bonus
        if evaluation and _EVALUATES.search(candidate.text):
            value += settings.kind_bonus
        if question.kind == "definition" and _defines(question, candidate.text):
            value += 2 * settings.kind_bonus
        if _expands(question, candidate.text):
            value += 1.0  # the sentence that writes the name out is the answer, whatever else scores higher
        candidate.score = value


def _names_another(names: list[str], candidate: Candidate, shown: str) -> bool:
    """Whether ``candidate`` (displayed as ``shown``) mentions one of the question's ``names``
    other than its own paper's."""
    others = [n for n in names if not (candidate.label and mentions(candidate.label, n))]
    return bool(others) and any(mentions(shown, n) for n in others)
