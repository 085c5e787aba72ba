"""Extractive answers composed for the kind of question asked, from verbatim, cited sentences.

* a quantity: the sentence that states it, first;
* which model or method: the paper's name for it and the sentence where it introduces it;
* a list: one line per relevant paper, its name then its best sentence, best first;
* a comparison: a line for each side, its name then its finding, each cited;
* what a paper found: its contribution and result sentences, not its background;
* why (the problem a paper addresses, what was wrong with earlier work): its background alone;
* a summary of one paper: where it introduces its work, then the sentences closest to its gist;
* what a paper's own model is ("What is RETRO?"): the same, in two sentences;
* otherwise: the sentences most similar to the question.

The sentences and their scores come from :mod:`rag.answers.sentences`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..corpus.display import display_text
from ..corpus.names import mentions
from ..corpus.text import sentence_spans, sentences
from ..index.embeddings import Embedder
from ..index.lexical import tokenize
from ..models import Passage
from ..retrieval.context import names_a_paper, subject_paper
from ..retrieval.questions import (
    Question,
    asks_for_a_thing,
    asks_one_paper,
    wants_number,
)
from ..settings import AnswerSettings
from .asking import asks_margin, asks_motivation, gives_reason, states_lead
from .citations import inert_markers, with_markers
from .sentences import INTRODUCES, NUMBER, Candidate, candidates, described, score

ABOUT_ITS_OWN_WORK = ("which", "finding", "comparison", "list")


def _left_out(question: Question, candidate: "Candidate") -> bool:
    """Whether the question does not want ``candidate``: background, when the answer should come
    from what a paper says of its own work ("which model predicts rain"), unless it names the
    thing asked for ("which frameworks does it name": "frameworks such as TensorFlow"); the
    paper's own work, when the question asks why (the reasons come before it)."""
    if asks_motivation(question):
        return not candidate.background
    return (candidate.background and question.kind in ABOUT_ITS_OWN_WORK
            and not asks_for_a_thing(question) & set(tokenize(candidate.text)))


def _wanted(question: Question, found: list[Candidate]) -> list[Candidate]:
    """``found`` without the sentences the question does not want (:func:`_left_out`), except for
    a paper that has no other sentences."""
    kept = [not _left_out(question, c) for c in found]
    papers = {c.doc_id for c, keep in zip(found, kept) if keep}
    return [c for c, keep in zip(found, kept) if keep or c.doc_id not in papers]


@dataclass
class Line:
    """One line of an answer: an optional name, then cited sentences."""

    sentences: list[Candidate]
    label: str = ""


def _best_per_paper(found: list[Candidate], question: Question) -> list[Candidate]:
    """Each paper's best sentence, best first (not one the question does not want, when the paper
    has others: background, for a question about the papers' own work)."""
    best: dict[str, Candidate] = {}
    for candidate in _wanted(question, found):
        if candidate.doc_id not in best or candidate.score > best[candidate.doc_id].score:
            best[candidate.doc_id] = candidate
    return sorted(best.values(), key=lambda c: -c.score)


_PARAMETER_COUNT = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?[MBT]\b")  # "Jurassic-1 (178B)"


def _states_measure(question: Question, sentence: str) -> bool:
    """Whether ``sentence`` gives a number for what a question measures ("175 billion parameters",
    "Jurassic-1 (178B)" for parameters; "a 7% improvement" for by how much one beat another)."""
    if asks_margin(question):
        return states_lead(sentence)
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
    own = sorted(_wanted(question, [c for c in found if c.doc_id == doc_id]), key=lambda c: -c.score)
    stating = [c for c in own if _states_measure(question, c.text)]
    best, words = (stating or own)[0], set(question.focus or question.terms)
    floor = max(settings.min_sentence_similarity, best.score - settings.paper_score_gap)
    if asks_motivation(question):  # "why": the reasons and shortcomings it gives, however they are worded
        extra = [c for c in own if c is not best and c.score >= settings.min_sentence_similarity
                 and gives_reason(c.text)][: settings.max_sentences - 1]
    else:
        extra = [c for c in own if c is not best and c.score >= floor and (not c.background or best.background)
                 and (not words or words & set(tokenize(c.text)))
                 and (question.kind != "quantity" or NUMBER.search(c.text))][: settings.max_sentences - 1]
    if question.kind == "quantity" and not any(NUMBER.search(c.text) for c in [best] + extra):
        extra = [c for c in own if NUMBER.search(c.text) and not c.background
                 and c.score >= settings.min_sentence_similarity][:1]  # the best sentence gives no number
    if question.kind in ("quantity", "which") or stating:
        return [best] + sorted(extra, key=lambda c: c.position)
    return sorted([best] + extra, key=lambda c: c.position)


def _summary(doc_id: str, found: list[Candidate], settings: AnswerSettings) -> list[Candidate]:
    """A paper in brief: the first sentence where it introduces its work ("we present ...", else its
    first sentence about its own work), then its own-work sentences closest to its gist (results
    first), at most ``max_sentences``, in reading order."""
    own = [c for c in found if c.doc_id == doc_id]
    work = [c for c in own if not c.background] or own
    in_order = sorted(work, key=lambda c: c.position)
    intro = next((c for c in in_order if INTRODUCES.search(c.text)), in_order[0])
    chosen = [intro] + sorted((c for c in work if c is not intro), key=lambda c: -c.score)
    return sorted(chosen[: settings.max_sentences], key=lambda c: c.position)


_AGAINST = re.compile(r"\b(?:than|surpass\w*|outperform\w*|exceed\w*|beat\w*|baselines?|compar\w*|against|versus|"
                      r"match\w*)\b", re.IGNORECASE)


def _compares_with(passage: Passage, name: str) -> bool:
    """Whether ``passage`` names ``name`` in a sentence comparing with it ("surpasses LSTMs"),
    not as another name of its own work ("... a novel RL algorithm, DPO")."""
    return any(mentions(s, name) and _AGAINST.search(s) for s in sentences(display_text(passage.text)))


def _sides(question: Question, passages: list[Passage], ranked: list[Candidate]) -> list[Candidate]:
    """The best sentence of each paper a comparison names (by its label, else by the name in its
    text), in the question's order; the two best papers when it names fewer than two, unless what
    it compares is named where the one paper found compares itself with it (a baseline)."""
    best = {c.doc_id: c for c in ranked}
    chosen: list[str] = []
    within = 0  # sides found only in a paper already chosen: "GTrXL compared with an LSTM baseline"
    for name in question.sides:
        matches = [p.doc_id for p in passages if mentions(p.label, name)] or \
                  [p.doc_id for p in passages if mentions(display_text(p.text), name)]
        new = [d for d in matches if d not in chosen]
        if new:
            chosen.append(new[0])
        elif any(_compares_with(p, name) for p in passages if p.doc_id in matches):
            within += 1
    if len(chosen) + within < 2:
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
    if question.kind == "summary":
        return [named_line(_summary(subject, found, settings))]
    if question.kind == "definition" and names_a_paper(question, passages):  # "What is VeLO?": the paper in brief
        return [named_line(_summary(subject, found, settings)[:2], always=True)]
    lines = [named_line(_from_paper(subject, found, settings, question))]
    subject_best = max(c.score for c in ranked if c.doc_id == subject)
    others = [c for c in ranked if c.doc_id != subject and c.score >= subject_best + settings.second_paper_margin]
    if (others and question.kind not in ("which", "quantity", "definition") and not one_paper and not described(question)
            and not names_a_paper(question, passages)):
        other = named_line(_from_paper(others[0].doc_id, found, settings, question)[:1])
        lines = [other] + lines if others[0].score > subject_best else lines + [other]  # best first
    return lines


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
    should read; for a question about one paper (a summary, one that names its paper or describes
    it), only that paper; a passage's best sentence is one the question wants (not background,
    for a paper's own work; background, for why). A cut passage is still an exact span of its
    abstract."""
    one_paper = question.kind == "summary" or described(question) or (
        question.kind not in ("comparison", "list") and names_a_paper(question, passages))
    if one_paper and passages:
        subject = subject_paper(question, passages)
        passages = [p for p in passages if p.doc_id == subject]
    found = candidates(passages)
    if not found:
        return passages
    score(question, found, embedder, settings)
    best: dict[int, Candidate] = {}
    for candidate in _wanted(question, found):
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
