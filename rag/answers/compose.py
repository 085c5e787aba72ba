"""Extractive answers composed for the kind of question asked, from verbatim, cited sentences.

* a quantity: the sentence that states it, first;
* which model or method: the paper's name for it and the sentence where it introduces it;
* a list: one line per relevant paper, its name then its best sentence, best first;
* a comparison: a line for each side, its name then its finding, each cited;
* what a paper found: its contribution and result sentences, not its background;
* otherwise: the sentences most similar to the question.

Sentences are scored by embedding similarity to the question (for a question about one paper,
the mean of that and the similarity to its asking clause; for a paper's own sentences,
halfway to the question without that paper's name) plus the share of its content words they
hold, plus a bonus for naming what the question names besides their paper ("Jurassic-1"),
then by what the kind of question wants (a number, an introduction, a
result, a definition) and against background (what an abstract says before it says what its
own work does). Weights live in :class:`rag.settings.AnswerSettings`, tuned on the dev half of
``evals/data``.
"""

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
from ..retrieval.context import subject_paper
from ..retrieval.evidence import NUMBER_WORDS
from ..retrieval.questions import (
    Question,
    asks_for_a_thing,
    asks_one_paper,
    wants_number,
)
from ..settings import AnswerSettings
from .citations import inert_markers, with_markers

NUMBER = re.compile(rf"(?<![\w.-])\d+(?:[.,]\d+)*(?![A-Za-z])|\b(?:{'|'.join(NUMBER_WORDS)}|hundreds?|thousands?|"
                    r"millions?|billions?|trillions?|twice|half|double|dozens?)\b", re.IGNORECASE)  # not "GPT-3"
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|this (?:paper|work|study|report|card)|here)\b", re.IGNORECASE)
_INTRODUCES = re.compile(r"\b(?:we (?:present|introduce|propose|develop|describe|train|release|call|term|name|dub)|"
                         r"(?:called|named|termed|dubbed)\b|refer to .{0,40}\bas\b)", re.IGNORECASE)
_RESULT = re.compile(r"\b(?:we (?:find|found|show|demonstrate|observe|report|identify|obtain|achieve)|reveal(?:s|ed)?|"
                     r"results? (?:show|indicate|suggest)|outperform\w*|improv\w*|achiev\w*|state[- ]of[- ]the[- ]art|"
                     r"faster|better|exceed\w*|match(?:es|ing)?|reduc\w*|find that|leads? to|enables?|increases?|"
                     r"decreases?)\b", re.IGNORECASE)
ABOUT_ITS_OWN_WORK = ("which", "finding", "comparison", "list")
_DEFINED = re.compile(r"^\s*what\s+(?:is|are)\s+(?:a\s+|an\s+|the\s+)?([\w\s-]{2,40}?)\s*\??\s*$", re.IGNORECASE)


def _left_out(question: Question, candidate: "Candidate") -> bool:
    """Whether ``candidate`` is background the question does not want: the answer should come
    from what a paper says of its own work ("which model predicts rain"), unless it names the
    thing asked for ("which frameworks does it name": "frameworks such as TensorFlow")."""
    return (candidate.background and question.kind in ABOUT_ITS_OWN_WORK
            and not asks_for_a_thing(question) & set(tokenize(candidate.text)))


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


@dataclass
class Line:
    """One line of an answer: an optional name, then cited sentences."""

    sentences: list[Candidate]
    label: str = ""


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


def _defines(question: Question, sentence: str) -> bool:
    match = _DEFINED.match(question.text)
    if not match:
        return False
    term = match.group(1).strip().lower().rstrip("s")
    return bool(re.search(rf"\b{re.escape(term)}s?\b\s*(?:--|—|,|\(|is\b|are\b|refers?\b)", sentence, re.IGNORECASE))


_ASKING = re.compile(r",\s+(?:and\s+|but\s+)?((?:what|which|how|who|where|when|why|does|do|did|is|are|was|were|can|could)"
                     r"\b[^,]*)$", re.IGNORECASE)


def asked_clause(text: str) -> str:
    """The part of a question that asks: its last sentence ("I remember a trainable optimizer
    modelled on ... What was it tested on?" asks "What was it tested on?"), from its last clause
    that opens with a question word ("In the work where ..., what two ways ... did they compare?")."""
    parts = [p for p in re.split(r"(?<=[.?!])\s+", text.strip()) if p]
    last = parts[-1] if parts else text
    clause = _ASKING.search(last)
    return clause.group(1) if clause else last


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
        return np.maximum(whole, clause) if question.kind in ("comparison", "list") else (whole + clause) / 2

    similarity = np.full(len(found), -1.0)
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
    number_wanted = wants_number(question)
    asked = asks_for_a_thing(question)
    introduce = question.kind == "which" and not question.names and not asked
    names = list(dict.fromkeys(question.names + question.sides))
    for candidate, text, sim in zip(found, shown, similarity):
        value = float(sim) + settings.overlap_weight * _share(words, candidate.text)
        if _names_another(names, candidate, text):  # "how many parameters is Jurassic-1 listed with"
            value += settings.kind_bonus
        if candidate.background:
            value -= settings.background_penalty
        if number_wanted and NUMBER.search(candidate.text):
            value += settings.kind_bonus * (1 + bool(set(question.measured[-1:]) & set(tokenize(candidate.text))))
        if introduce and _INTRODUCES.search(candidate.text):
            value += settings.kind_bonus
        if asked & set(tokenize(candidate.text)):  # "which frameworks": "frameworks such as TensorFlow"
            value += settings.kind_bonus
        if question.kind in ("finding", "comparison") and _RESULT.search(candidate.text):
            value += settings.kind_bonus
        elif question.kind == "list" and _RESULT.search(candidate.text):
            value += settings.kind_bonus / 2
        if question.kind == "definition" and _defines(question, candidate.text):
            value += 2 * settings.kind_bonus
        candidate.score = value


def _names_another(names: list[str], candidate: Candidate, shown: str) -> bool:
    """Whether ``candidate`` (displayed as ``shown``) mentions one of the question's ``names``
    other than its own paper's."""
    others = [n for n in names if not (candidate.label and mentions(candidate.label, n))]
    return bool(others) and any(mentions(shown, n) for n in others)


def _best_per_paper(found: list[Candidate], question: Question) -> list[Candidate]:
    """Each paper's best sentence, best first (not a background one, when the question asks
    about the papers' own work and the paper has other sentences)."""
    best: dict[str, Candidate] = {}
    own_work = {c.doc_id for c in found if not c.background}
    for candidate in found:
        if _left_out(question, candidate) and candidate.doc_id in own_work:
            continue
        if candidate.doc_id not in best or candidate.score > best[candidate.doc_id].score:
            best[candidate.doc_id] = candidate
    return sorted(best.values(), key=lambda c: -c.score)


_PARAMETER_COUNT = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?[MBT]\b")  # "Jurassic-1 (178B)"


def _states_measure(question: Question, sentence: str) -> bool:
    """Whether ``sentence`` gives a number for what a question measures ("175 billion parameters",
    "Jurassic-1 (178B)" for parameters)."""
    if not (wants_number(question) and question.measured):
        return False
    if question.measured[-1] == "paramet" and _PARAMETER_COUNT.search(sentence):
        return True
    return bool(NUMBER.search(sentence) and question.measured[-1] in tokenize(sentence))


def _from_paper(doc_id: str, found: list[Candidate], settings: AnswerSettings, question: Question) -> list[Candidate]:
    """A paper's best sentence, and up to ``max_sentences`` - 1 more that score within
    ``paper_score_gap`` of it, are not background and share a content word with the question
    (for a quantity, also hold a number). The best is one that gives a number for what the
    question measures, when the paper has one; it comes first then, and for a quantity or a
    "which" question; else the sentences are in reading order. A quantity whose chosen sentences
    hold no number gets the paper's best own sentence that holds one."""
    own = sorted((c for c in found if c.doc_id == doc_id), key=lambda c: -c.score)
    if any(not _left_out(question, c) for c in own):
        own = [c for c in own if not _left_out(question, c)]  # "which model", "what did it find": not the background
    stating = [c for c in own if _states_measure(question, c.text)]
    best, words = (stating or own)[0], set(question.focus or question.terms)
    floor = max(settings.min_sentence_similarity, best.score - settings.paper_score_gap)
    extra = [c for c in own if c is not best and c.score >= floor and not c.background
             and (not words or words & set(tokenize(c.text)))
             and (question.kind != "quantity" or NUMBER.search(c.text))][: settings.max_sentences - 1]
    if question.kind == "quantity" and not any(NUMBER.search(c.text) for c in [best] + extra):
        extra = [c for c in own if NUMBER.search(c.text) and not c.background
                 and c.score >= settings.min_sentence_similarity][:1]  # the best sentence gives no number
    if question.kind in ("quantity", "which") or stating:
        return [best] + sorted(extra, key=lambda c: c.position)
    return sorted([best] + extra, key=lambda c: c.position)


def _sides(question: Question, passages: list[Passage], ranked: list[Candidate]) -> list[Candidate]:
    """The best sentence of each paper a comparison names (by its label, else by the name in its
    text), in the question's order; the two best papers when it names fewer than two."""
    best = {c.doc_id: c for c in ranked}
    chosen: list[str] = []
    for name in question.sides:
        matches = [p.doc_id for p in passages if mentions(p.label, name)] or \
                  [p.doc_id for p in passages if mentions(display_text(p.text), name)]
        for doc_id in matches:
            if doc_id not in chosen:
                chosen.append(doc_id)
                break
    if len(chosen) < 2:
        chosen += [c.doc_id for c in ranked if c.doc_id not in chosen][: 2 - len(chosen)]
    return [best[d] for d in chosen if d in best]


def compose(question: Question, passages: list[Passage], embedder: Embedder, settings: AnswerSettings) -> list[Line]:
    """The answer's lines for ``question`` from ``passages``."""
    found = candidates(passages)
    if not found:
        return []
    score(question, found, embedder, settings)
    paper = {p.doc_id: p for p in passages}
    ranked = _best_per_paper(found, question)

    def named_line(chosen: list[Candidate], always: bool = False) -> Line:
        first = paper[chosen[0].doc_id]
        return Line(chosen, first.label if always or first.named else "")

    if question.kind == "list":  # the papers were chosen by relevance already (HybridRetriever.list_members)
        return [named_line([c], always=True) for c in ranked]
    one_paper = asks_one_paper(question.text)  # "Which study compares ...": one paper, not two sides
    if question.kind == "comparison" and not one_paper:
        return [named_line(_from_paper(c.doc_id, found, settings, question)[:2], always=True)
                for c in _sides(question, passages, ranked)]
    subject = subject_paper(question, passages)
    lines = [named_line(_from_paper(subject, found, settings, question))]
    subject_best = max(c.score for c in ranked if c.doc_id == subject)
    others = [c for c in ranked if c.doc_id != subject and c.score >= subject_best + settings.second_paper_margin]
    if (others and question.kind not in ("which", "quantity", "definition") and not one_paper
            and not _names_paper(question, passages)):
        other = named_line(_from_paper(others[0].doc_id, found, settings, question)[:1])
        lines = [other] + lines if others[0].score > subject_best else lines + [other]  # best first
    return lines


def _names_paper(question: Question, passages: list[Passage]) -> bool:
    """Whether the question names a paper of ``passages`` (by its label): it is about that one."""
    return any(p.named and mentions(p.label, name) for name in question.sides for p in passages)


def render(lines: list[Line]) -> str:
    """The answer text: each sentence as readable text with its ``[n]`` marker; a named line
    starts with the paper's name (unless its first sentence already names it)."""
    rendered = []
    for line in lines:
        body = " ".join(with_markers(display_text(inert_markers(c.text)), [c.number]) for c in line.sentences)
        named = line.label and not mentions(body.split(",")[0], line.label)
        rendered.append(f"{line.label}: {body}" if named else body)
    return "\n".join(rendered)


def focus_passages(question: Question, passages: list[Passage], embedder: Embedder, settings: AnswerSettings,
                   count: int, sentences: int) -> list[Passage]:
    """At most ``count`` passages (0: all), those holding the best sentences first, each cut to
    ``sentences`` neighbouring sentences (0: whole) around its best one: what a small model
    should read. A cut passage is still an exact span of its abstract."""
    found = candidates(passages)
    if not found:
        return passages
    score(question, found, embedder, settings)
    best: dict[int, Candidate] = {}
    for candidate in found:
        if candidate.number not in best or candidate.score > best[candidate.number].score:
            best[candidate.number] = candidate
    chosen = sorted(best.values(), key=lambda c: -c.score)[: count or None]
    kept = []
    for top in chosen:
        passage = passages[top.number - 1]
        if sentences:
            spans = sentence_spans(passage.text)
            at = next(i for i, (a, _) in enumerate(spans) if passage.start + a == top.position)
            first = max(0, min(at - (sentences - 1) // 2, len(spans) - sentences))
            start, end = spans[first][0], spans[min(len(spans), first + sentences) - 1][1]
            passage = passage.model_copy(update={"text": passage.text[start:end], "start": passage.start + start,
                                                 "end": passage.start + end})
        kept.append(passage)
    return kept
