"""What a build keeps in Chroma for each paper and each passage.

A passage record is its id (``<paper id>:<n>``) and its vector, nothing more: Chroma's cost
per record grows with every metadata field it indexes, and the rest follows from the paper.
A paper record holds the paper's fields, its content hash, its abstract and the spans of its
passages in the abstract (``abstract[start:end]`` is a passage's text).

Records written before this layout (builds before 2026-12-01's second session) kept the
abstract as the paper's document and each passage's place (or its text) on the passage
record; :func:`stored_passages` reads both, so such a build still serves and is copied into a
new one without embedding again.
"""

from __future__ import annotations

from ..corpus.chunking import passage_id, passage_ids, passage_spans
from ..corpus.labels import LABEL_RULES, paper_label
from ..models import Paper
from ..settings import PassageSettings

__all__ = ["paper_fields", "paper_record", "passage_id", "passage_ids", "relabelled", "stored_passages"]

Span = tuple[int, int]


def paper_fields(paper: Paper) -> dict:
    """A paper's fields as Chroma metadata (Chroma takes no None and no empty lists)."""
    label, named = paper_label(None if paper.title_derived else paper.title, paper.abstract)
    fields = {
        "doc_id": paper.id, "title": paper.title, "title_derived": paper.title_derived,
        "label": label, "named": named, "label_rules": LABEL_RULES,
        "source": paper.source, "collections": paper.collections, "venue": paper.venue,
        "authors": paper.authors, "year": paper.year, "categories": paper.categories,
    }
    return {k: v for k, v in fields.items() if v not in (None, [], "")}


def relabelled(metadata: dict, abstract: str) -> dict:
    """A stored paper's ``metadata`` with the label today's rules give it: made again when it
    was stored under other rules (:data:`~rag.corpus.labels.LABEL_RULES`), so an earlier build
    serves today's labels and a build copying its records stores them, without embedding again."""
    if metadata.get("label_rules") == LABEL_RULES:
        return metadata
    label, named = paper_label(None if metadata.get("title_derived") else metadata.get("title"), abstract)
    return {**metadata, "label": label, "named": named, "label_rules": LABEL_RULES}


def paper_record(fields: dict, abstract: str, spans: list[Span], digest: str) -> dict:
    """The metadata of a paper record: ``fields``, the content hash, the abstract, the spans."""
    kept = {k: v for k, v in fields.items() if k not in ("abstract", "spans", "content_hash")}
    return {**kept, "content_hash": digest, "abstract": abstract,
            "spans": " ".join(f"{start}-{end}" for start, end in spans)}


def stored_passages(metadata: dict, document: str | None, passages: PassageSettings) -> tuple[str, list[Span]]:
    """A paper record's abstract and its passages' spans. A record of the earlier layout (the
    abstract as the document) has its spans cut again by the chunker, which the build's
    manifest says is the one that cut them."""
    if "abstract" in metadata:
        spans = metadata.get("spans") or ""
        return metadata["abstract"], [tuple(int(v) for v in s.split("-")) for s in spans.split()]
    abstract = document or ""
    return abstract, passage_spans(abstract, passages)
