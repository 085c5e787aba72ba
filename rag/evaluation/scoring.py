"""Scoring one answer against a labelled question, and adding the scores up by question type.

* answer accuracy: the answer states one of the expected strings and cites a gold paper
  (questions with expected strings only; a refusal is wrong);
* list recall: the share of gold papers an answer to a list question names and cites;
* citation precision and recall, refusal accuracy (all unanswerable questions, and the near
  misses apart), false refusals.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..corpus.display import display_text
from ..models import Answer
from .dataset import EvalQuery

_SPACES = re.compile(r"\s+")
_SERIAL_COMMA = re.compile(r",(?= (?:and|or) )")


def _fold(text: str) -> str:
    return _SERIAL_COMMA.sub("", _SPACES.sub(" ", display_text(text).replace("\u2009", " ")).casefold())


def states_answer(text: str, expected: list[str]) -> bool:
    """Whether ``text`` states one of the ``expected`` strings (case, LaTeX and the serial comma
    folded: "TensorFlow, PyTorch, and JAX" states "TensorFlow, PyTorch and JAX")."""
    folded = _fold(text)
    return any(_fold(e) in folded for e in expected)


def names_paper(text: str, label: str, title: str) -> bool:
    """Whether ``text`` names a paper by its label or title."""
    folded = _fold(text)
    return any(name and _fold(name.rstrip("…")) in folded for name in (label, title))


def score(query: EvalQuery, answer: Answer) -> dict:
    """The per-question figures that :func:`summarise` adds up."""
    row: dict = {"type": query.type, "answerable": query.answerable, "near_miss": query.near_miss,
                 "refused": answer.refused}
    if not query.answerable:
        return row
    cited = [c.doc_id for c in answer.citations]
    row["cited"], row["cited_gold"] = len(cited), sum(d in query.gold for d in cited)
    row["recall"] = 0.0 if answer.refused else len(set(cited) & query.gold) / len(query.gold)
    if query.answers:
        row["correct"] = (not answer.refused and states_answer(answer.text, query.answers)
                          and bool(set(cited) & query.gold))
    if query.type == "list":
        named = {c.doc_id for c in answer.citations
                 if c.doc_id in query.gold and names_paper(answer.text, c.label, c.title)}
        row["list_recall"] = 0.0 if answer.refused else len(named) / len(query.gold)
    return row


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _summary(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    near = [r for r in unanswerable if r.get("near_miss") not in (None, "other")]
    cited = sum(r["cited"] for r in answerable)
    return {
        "questions": len(rows),
        "answer_accuracy": _mean([float(r["correct"]) for r in answerable if "correct" in r]),
        "list_recall": _mean([r["list_recall"] for r in answerable if "list_recall" in r]),
        "citation_precision": round(sum(r["cited_gold"] for r in answerable) / cited, 4) if cited else None,
        "citation_recall": _mean([r["recall"] for r in answerable]),
        "refusal_accuracy": _mean([float(r["refused"]) for r in unanswerable]),
        "near_miss_refusal_accuracy": _mean([float(r["refused"]) for r in near]),
        "false_refusal_rate": _mean([float(r["refused"]) for r in answerable]),
    }


def summarise(rows: list[dict]) -> tuple[dict, dict[str, dict]]:
    """The figures over all ``rows`` and per question type."""
    by_type: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_type[row["type"] or "untyped"].append(row)
    return _summary(rows), {kind: _summary(group) for kind, group in sorted(by_type.items())}
