"""Check an answer against its passages, in code.

* ``[n]`` markers that name no retrieved passage are removed;
* a generated sentence loses a citation when another passage, uncited, supports it by
  ``MISCITED_MARGIN`` more (a model citing [1] for what [2] states);
* a sentence keeps a citation only if the cited passage supports it: its embedding is at least
  ``support_threshold`` similar to one of that passage's sentences;
* a sentence left with no supported citation is dropped; a sentence that cited nothing gets
  the best supporting passage, or is dropped when none supports it;
* citations are renumbered 1..m in order of first use, and each records the passage
  sentences that support the answer (``highlights``) so a reader can check them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..corpus.display import display_text
from ..corpus.names import mentions
from ..corpus.text import normalize_text, sentence_spans
from ..index.embeddings import Embedder
from ..index.lexical import tokenize
from ..models import Citation, Passage
from ..retrieval.questions import asks_for_a_name, asks_which_paper
from .factcheck import unsupported_facts
from .prompts import CANNOT_ANSWER

MARKER = re.compile(r"\[(\d{1,4}(?:\s*[,;]\s*\d{1,4})*)\]")
_TRAILING_MARKERS = re.compile(r"([.!?])\s*((?:\[\d{1,4}(?:\s*[,;]\s*\d{1,4})*\]\s*)+)(?=\s|$)")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")
_WORD = re.compile(r"[\w-]+")
MISCITED_MARGIN = 0.15
"""How much better (cosine similarity of the sentence to the passage's closest sentence) an
uncited passage must support a generated sentence for its citations to count as wrong."""
_FOLDED_REFUSAL = re.sub(r"\W+", " ", CANNOT_ANSWER.lower()).strip()


@dataclass
class CheckedAnswer:
    text: str
    citations: list[Citation]
    refused: bool
    notes: list[str] = field(default_factory=list)


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def is_refusal(text: str) -> bool:
    """True when ``text`` is (or contains) the fixed cannot-answer phrase."""
    return _FOLDED_REFUSAL in _fold(text)


def model_refused(text: str, passages: list[Passage]) -> bool:
    """Whether a model's ``text`` is a refusal. When a passage itself holds the phrase (a
    paper can say anything), only an answer that is nothing but the phrase counts: quoting
    the source must not turn an answer into a refusal."""
    if any(is_refusal(p.text) for p in passages):
        return _fold(text) == _FOLDED_REFUSAL
    return is_refusal(text)


def inert_markers(text: str) -> str:
    """Source text with its bracketed numbers (``[3, 4]``, a paper's own references) in
    parentheses, so they can never be read as citation markers of an answer."""
    return MARKER.sub(lambda m: f"({m.group(1)})", text)


def strip_markers(sentence: str) -> str:
    """The sentence without its ``[n]`` markers."""
    return _SPACE_BEFORE_PUNCT.sub(r"\1", re.sub(r"\s{2,}", " ", MARKER.sub("", sentence))).strip()


def _specific(answer: str, question: str) -> set[str]:
    """The stemmed words of ``answer`` that ``question`` lacks and that name or count something
    (a capitalised word or one with a digit; "Yes" is neither)."""
    new = set(tokenize(answer)) - set(tokenize(question)) - {"yes"}
    return new & {t for w in _WORD.findall(answer) if w[0].isupper() or any(c.isdigit() for c in w) for t in tokenize(w)}


def names_nothing(question: str, answer: str) -> bool:
    """Whether ``answer`` to a question asking for a name ("What is the name of the evaluation set
    ...?", "Which benchmarks ...?") names nothing the question does not: "The Codex paper releases
    a new evaluation set [1]" leaves out HumanEval."""
    return asks_for_a_name(question) and not _specific(strip_markers(answer), question)


def restates_question(question: str, answer: str, least: int) -> bool:
    """Whether ``answer`` adds fewer than ``least`` words (stemmed, besides "yes") to
    ``question`` and no name or number (a capitalised word or one with a digit): it only says
    the question back ("Yes, there is a language model that looks up passages … [1]" names no
    model). ``least`` 0: never."""
    answer = strip_markers(answer)
    new = set(tokenize(answer)) - set(tokenize(question)) - {"yes"}
    return len(new) < least and not _specific(answer, question)


def names_no_paper(question: str, answer: str, cited: list[Citation]) -> bool:
    """Whether ``answer`` to a "Which paper ...?" question names none of the named papers it
    cites ("The paper finds a scaling relation ... [1]."): it does not say which paper."""
    named = [c for c in cited if c.named]
    return bool(asks_which_paper(question) and named and not any(
        mentions(answer, c.label) or (c.title and mentions(answer, c.title)) for c in named))


def with_markers(claim: str, numbers: list[int]) -> str:
    """``claim`` with ``[n]`` markers placed before its final punctuation."""
    marks = "".join(f"[{n}]" for n in numbers)
    if claim and claim[-1] in ".!?":
        return f"{claim[:-1]} {marks}{claim[-1]}"
    return f"{claim} {marks}"


def _passage_sentences(passages: list[Passage]) -> tuple[list[str], list[int], list[tuple[int, int]]]:
    texts, owner, spans = [], [], []
    for i, passage in enumerate(passages):
        for start, end in sentence_spans(passage.text):
            texts.append(passage.text[start:end])
            owner.append(i)
            spans.append((passage.start + start, passage.start + end))
    return texts, owner, spans


def _claims(raw: str, passages: list[Passage], notes: list[str]) -> list[tuple[int, str, list[int]]]:
    """(line, sentence without markers, valid cited numbers) of every sentence of ``raw``."""
    claims = []
    for line_number, line in enumerate(raw.split("\n")):
        text = _TRAILING_MARKERS.sub(r" \2\1", normalize_text(line))  # "... parameters. [1]" cites that sentence
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            numbers = [int(n) for group in MARKER.findall(sentence) for n in re.split(r"\s*[,;]\s*", group)]
            valid = [n for n in dict.fromkeys(numbers) if 1 <= n <= len(passages)]
            for n in sorted(set(numbers) - set(valid)):
                notes.append(f"removed citation [{n}]: no retrieved passage has that number")
            claim = strip_markers(sentence)
            if claim:
                claims.append((line_number, claim, valid))
    return claims


def _closer_elsewhere(cited: list[int], support: dict[int, float], claim: str, notes: list[str]) -> list[int]:
    """``cited`` without the numbers of passages that another, uncited passage beats by
    :data:`MISCITED_MARGIN` in supporting the claim (a model citing [1] for what [2] states)."""
    best = max(support, key=support.get) + 1
    if best in cited:
        return cited
    kept = [n for n in cited if support[best - 1] < support.get(n - 1, -1.0) + MISCITED_MARGIN]
    for n in set(cited) - set(kept):
        notes.append(f"removed citation [{n}] from '{claim[:60]}': passage [{best}] states it more closely")
    return kept


def check_answer(raw: str, passages: list[Passage], embedder: Embedder, threshold: float,
                 generative: bool = True) -> CheckedAnswer:
    """Apply the checks of the module docstring to ``raw`` answer text (its lines are kept).
    Only a ``generative`` backend refuses by writing the cannot-answer phrase (any other
    refuses by writing nothing), and only its sentences are fact-checked: their numbers and
    names must be stated by the passages they cite."""
    text = normalize_text(raw)
    refused = not text or generative and model_refused(text, passages)
    if refused or not passages:
        return CheckedAnswer(CANNOT_ANSWER, [], True, [] if refused else ["the answer cited no retrieved passage"])
    notes: list[str] = []
    claims = _claims(raw, passages, notes)
    if not claims:
        return CheckedAnswer(CANNOT_ANSWER, [], True, notes + ["the answer had no sentence"])
    source_texts, owner, spans = _passage_sentences(passages)
    sources = embedder.encode_cached([display_text(t) for t in source_texts], corpus=True)
    similarity = embedder.encode_cached([c for _, c, _ in claims]) @ sources.T  # claims x passage sentences
    owner_array = np.asarray(owner)
    kept: list[tuple[int, str, list[int]]] = []
    highlights: dict[int, list[tuple[int, int]]] = {}
    for c, (line, claim, cited) in enumerate(claims):
        support = {i: float(similarity[c][owner_array == i].max()) for i in range(len(passages)) if (owner_array == i).any()}
        if not cited:
            best = max(support, key=support.get)
            if support[best] >= threshold:
                cited = [best + 1]
                notes.append(f"added citation to an uncited sentence: '{claim[:60]}'")
        if generative:
            cited = _closer_elsewhere(cited, support, claim, notes)
        supported = [n for n in cited if support.get(n - 1, -1.0) >= threshold]
        for n in set(cited) - set(supported):
            notes.append(f"removed citation [{n}] from '{claim[:60]}': the passage does not support it")
        cited_papers = {passages[n - 1].doc_id for n in supported}
        missing = unsupported_facts(claim, [passages[n - 1] for n in supported],
                                    [p for p in passages if p.doc_id in cited_papers]) if generative and supported else []
        if missing:
            notes.append(f"dropped '{claim[:60]}': its sources do not state {', '.join(missing)}")
            continue
        if not supported:
            notes.append(f"dropped a sentence no retrieved passage supports: '{claim[:60]}'")
            continue
        for n in supported:
            rows = [j for j, o in enumerate(owner) if o == n - 1]
            best_row = max(rows, key=lambda j: similarity[c][j])
            highlights.setdefault(n, [])
            if spans[best_row] not in highlights[n]:
                highlights[n].append(spans[best_row])
        kept.append((line, claim, supported))
    if not kept:
        return CheckedAnswer(CANNOT_ANSWER, [], True, notes)
    renumber: dict[int, int] = {}
    for _, _, cited in kept:
        for n in cited:
            renumber.setdefault(n, len(renumber) + 1)
    lines: dict[int, list[str]] = {}
    for line, claim, cited in kept:
        lines.setdefault(line, []).append(with_markers(claim, [renumber[n] for n in cited]))
    final_text = "\n".join(" ".join(sentences) for sentences in lines.values())
    citations = [
        Citation.from_passage(new, passages[old - 1]).model_copy(update={"highlights": sorted(highlights[old])})
        for old, new in sorted(renumber.items(), key=lambda item: item[1])
    ]
    return CheckedAnswer(final_text, citations, False, notes)


def why_unusable(question: str, checked: CheckedAnswer, min_new_words: int) -> str | None:
    """Why a generated answer, once checked, gives way to the extractive one (for the note);
    None when it stands."""
    if checked.refused:
        return "had nothing the checks let through"
    if restates_question(question, checked.text, min_new_words):
        return "only said the question back"
    if names_no_paper(question, checked.text, checked.citations):
        return "named no paper"
    if names_nothing(question, checked.text):
        return "named nothing the question asks the name of"
    return None
