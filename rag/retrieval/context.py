"""The passages an answer is composed from, given what retrieval found for the question.

* a list question: the papers that belong in the list (:meth:`HybridRetriever.list_members`);
* a comparison: each side's paper is fetched when retrieval missed it ("How large is Gopher
  compared with GPT-3?" must see both), and both are read whole;
* any other question: the paper it is about is read whole, since the sentence that states the
  asked fact may sit in a passage that did not rank ("What did BIG-bench find about social
  bias?").

Passages added this way come after the retrieved ones, in abstract order.
"""

from __future__ import annotations

from ..corpus.names import mentions
from ..index.engine import Engine
from ..models import Passage
from .hybrid import HybridRetriever
from .questions import Question
from .subject import subject_passage


def sides_named(question: Question, passages: list[Passage], retriever: HybridRetriever) -> int:
    """How many of the names a comparison mentions are papers' names (labels), found among
    ``passages`` or by searching for the name ("the difference between PES and NRES": 2)."""
    def named(name: str, pool: list[Passage]) -> bool:
        return any(p.named and mentions(p.label, name) for p in pool)
    return sum(named(name, passages) or named(name, retriever.retrieve(name, 3)) for name in question.sides)


def is_paper_name(retriever: HybridRetriever, name: str) -> bool:
    """Whether ``name`` is a paper's name (its label) among the papers searching for it finds."""
    return any(p.named and mentions(p.label, name) for p in retriever.retrieve(name, 3))


def names_a_paper(question: Question, passages: list[Passage]) -> bool:
    """Whether the question names a paper of ``passages`` (by its label): it is about that one."""
    return any(p.named and mentions(p.label, name) for name in question.sides for p in passages)


def subject_paper(question: Question, passages: list[Passage]) -> str:
    """The paper a question is about (:func:`subject_passage`)."""
    return subject_passage(question, passages).doc_id


def _side_papers(question: Question, passages: list[Passage], retriever: HybridRetriever) -> list[str]:
    """For each name a comparison mentions, the paper named so (retrieved, or searched for)."""
    found: list[str] = []
    for name in question.sides:
        pool = passages + [p for p in retriever.retrieve(name, 3) if not any(mentions(q.label, name) for q in passages)]
        for passage in sorted(pool, key=lambda p: not (p.named and mentions(p.label, name))):
            if (passage.named and mentions(passage.label, name)) or mentions(passage.text, name):
                if passage.doc_id not in found:
                    found.append(passage.doc_id)
                    passages = passages if passage in passages else passages + [passage]
                break
    return found


def whole_papers(engine: Engine, query: str, passages: list[Passage], doc_ids: list[str]) -> list[Passage]:
    """``passages`` and then every other passage of the papers ``doc_ids``, in abstract order."""
    have = {p.passage_id for p in passages}
    rows = [r for d in doc_ids for r in engine.rows.of_paper(d) if engine.rows[r].id not in have]
    if not rows:
        return passages
    similarity = engine.embeddings_of(rows) @ engine.embedder.encode_one(query)
    extra = [engine.passage(r, similarity=float(s)) for r, s in zip(rows, similarity)]
    return passages + sorted(extra, key=lambda p: (doc_ids.index(p.doc_id), p.start))


def answer_passages(engine: Engine, question: Question, query: str, passages: list[Passage],
                    wider: list[Passage] | None = None) -> list[Passage]:
    """The passages to answer ``question`` from (see the module docstring); ``wider``: for a
    list question, the retrieved passages of more papers than ``passages`` holds."""
    if not passages:
        return passages
    retriever = HybridRetriever(engine)
    if question.kind == "list":
        return retriever.list_members(query, question.terms, passages, question.literal, wider)
    if question.kind == "comparison":
        sides = _side_papers(question, passages, retriever)
        return whole_papers(engine, query, passages, sides or [passages[0].doc_id])
    return whole_papers(engine, query, passages, [subject_paper(question, passages)])
