"""Whether the retrieved passages can answer a question at all (the relevance gate before any
answer is composed), and the closest papers a refusal shows instead."""

from __future__ import annotations

from ..models import Passage
from ..retrieval.context import names_a_paper, sides_named
from ..retrieval.evidence import weighted_coverage
from ..retrieval.hybrid import HybridRetriever
from ..retrieval.questions import GENERIC_LIST_WORDS, Question
from ..settings import Settings
from .sentences import description


def in_scope(engine, question: Question, passages: list[Passage], settings: Settings) -> bool:
    """Whether retrieval found something relevant enough to answer from: the paper a summary
    request or a definition names, the two papers a comparison names, a passage similar enough
    to the question or to the description of its paper that opens it, or one holding enough of
    its words (framing words such as "which papers" left out) by IDF weight."""
    if not passages:
        return False
    if question.kind in ("summary", "definition") and names_a_paper(question, passages):
        return True  # "Summarize the RETRO paper", "What does GTrXL stand for?": the paper is found
    if question.kind == "comparison" and sides_named(question, passages, HybridRetriever(engine)) >= 2:
        return True  # "the difference between PES and NRES": both papers are in the corpus
    threshold = settings.retrieval.relevance_threshold(question.kind)
    if max(p.similarity for p in passages) >= threshold:
        return True
    described_paper = description(question)  # it finds the paper; the asking sentence only dilutes it
    if described_paper:
        vectors = engine.embedder.encode_cached([p.text for p in passages], corpus=True)
        if float((vectors @ engine.embedder.encode_one(described_paper)).max()) >= threshold:
            return True
    texts = [f"{p.title} {p.text}" for p in passages]
    terms = question.terms
    if question.kind == "list":  # a category's words may be spread over the papers that belong to it
        texts = [" ".join(texts)]
        terms = [t for t in terms if t not in GENERIC_LIST_WORDS] or terms  # "deal with", "talk about"
    coverage = max(weighted_coverage(terms, text, engine.lexical) for text in texts)
    return coverage >= settings.retrieval.min_term_coverage


def closest_papers(passages: list[Passage]) -> list[Passage]:
    """One passage per paper (its most similar), most similar first: what a refusal shows."""
    best: dict[str, Passage] = {}
    for passage in passages:
        if passage.doc_id not in best or passage.similarity > best[passage.doc_id].similarity:
            best[passage.doc_id] = passage
    return sorted(best.values(), key=lambda p: -p.similarity)
