"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by reciprocal rank fusion,
an optional cross-encoder reranker, and at most a few passages per paper."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

import numpy as np

from ..errors import EmbeddingModelError, QuestionError
from ..index.engine import Engine
from ..models import Passage
from .filters import SearchFilter
from .mentions import mention_words

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")
Reranker = Callable[[str, list[str]], list[float]]
BROAD_FILTER_SHARE = 0.05
"""A filter passing at least this share of passages is applied to a wider search's results;
a narrower one hands Chroma the passing ids (which costs time per id)."""


@lru_cache(maxsize=2)
def cross_encoder_reranker(model: str) -> Reranker:
    """A reranker from a sentence-transformers cross-encoder (local folder or cached name)."""
    from sentence_transformers import CrossEncoder

    try:
        encoder = CrossEncoder(model, device="cpu")
    except Exception as error:  # noqa: BLE001
        raise EmbeddingModelError(
            f"Cannot load the reranker '{model}': {error}. Set RAG_RETRIEVAL__RERANKER to a "
            "local cross-encoder folder, or unset it."
        ) from error

    def rerank(query: str, texts: list[str]) -> list[float]:
        return [float(s) for s in encoder.predict([(query, t) for t in texts], show_progress_bar=False)]

    return rerank


class HybridRetriever:
    """Ranks passages of an :class:`~rag.index.engine.Engine` for a query."""

    def __init__(self, engine: Engine, reranker: Reranker | None = None) -> None:
        self.engine = engine
        self.settings = engine.settings.retrieval
        if reranker is None and self.settings.reranker:
            reranker = cross_encoder_reranker(self.settings.reranker)
        self.reranker = reranker

    def _allowed(self, flt: SearchFilter | None) -> np.ndarray | None:
        """A mask of the rows a filter lets through (None: no filter)."""
        if not flt or flt.is_empty():
            return None
        return self.engine.rows_where(flt.model_dump_json(), lambda f: flt.matches(
            f["collections"], f["categories"], f["authors"], f.get("year")))

    def dense(self, query_vector: np.ndarray, n: int, flt: SearchFilter | None = None
              ) -> list[tuple[int, float]]:
        """``(row, cosine similarity)`` of the ``n`` nearest passages (passing ``flt``)."""
        rows = self.engine.rows
        allowed = self._allowed(flt)
        passing = len(rows) if allowed is None else int(allowed.sum())
        if passing == len(rows):
            return self._nearest(query_vector, min(n, len(rows)))
        n = min(n, passing)
        share = passing / len(rows)
        if share >= BROAD_FILTER_SHARE:  # most rows pass: search wider and keep the passing ones
            found = [(r, s) for r, s in self._nearest(query_vector, min(len(rows), math.ceil(3 * n / share)))
                     if allowed[r]]
            if len(found) >= n:
                return found[:n]
        return self._nearest(query_vector, n, [rows.ids[int(r)] for r in np.flatnonzero(allowed)])

    def _nearest(self, query_vector: np.ndarray, n: int, only: list[str] | None = None) -> list[tuple[int, float]]:
        """``(row, cosine similarity)`` of Chroma's ``n`` nearest passages (among the ids ``only``)."""
        if n == 0:
            return []
        found = self.engine.passages.query(
            query_embeddings=[query_vector.tolist()], n_results=n, include=["distances"], ids=only
        )
        rows = self.engine.rows
        return [
            (row, 1.0 - float(d))
            for pid, d in zip(found["ids"][0], found["distances"][0])
            if (row := rows.index_of(pid)) is not None
        ]

    def lexical(self, query: str, n: int, flt: SearchFilter | None = None) -> list[tuple[int, float]]:
        """``(row, BM25 score)`` of the ``n`` best passages (passing ``flt``)."""
        return self.engine.lexical.search(query, n, self._allowed(flt))

    def rank(self, query: str, mode: Mode = "hybrid", rerank: bool | None = None,
             flt: SearchFilter | None = None) -> tuple[list[int], dict[int, float], dict[int, float]]:
        """Candidate rows best first, their scores and their cosine similarities. The reranker,
        if any, is used unless ``rerank`` is False."""
        if mode not in MODES:
            raise QuestionError(f"Unknown retrieval mode '{mode}'; use one of {', '.join(MODES)}.")
        n = self.settings.candidates
        vector = self.engine.embedder.encode_one(query)
        dense = self.dense(vector, n, flt) if mode != "bm25" else []
        lexical = self.lexical(query, n, flt) if mode != "dense" else []
        similarity = dict(dense)
        if mode == "dense":
            scores = dict(dense)
        elif mode == "bm25":
            scores = dict(lexical)
        else:
            scores = self._fuse(dense, lexical)
        missing = [row for row in scores if row not in similarity]
        if missing:
            for row, sim in zip(missing, self.engine.embeddings_of(missing) @ vector):
                similarity[row] = float(sim)
        order = sorted(scores, key=lambda r: (-scores[r], r))
        if self.reranker and order and rerank is not False:
            reranked = self.reranker(query, [self.engine.rows[r].text for r in order])
            scores = dict(zip(order, reranked))
            order = sorted(order, key=lambda r: (-scores[r], r))
        return order, scores, similarity

    def _fuse(self, dense: list[tuple[int, float]], lexical: list[tuple[int, float]]) -> dict[int, float]:
        """Reciprocal rank fusion. With ``fusion="paper"`` each ranking is first read as a
        ranking of papers (a paper at the rank of its best passage), so a paper is not pushed up
        or down by how many of its passages match; passages of one paper keep their own order."""
        settings = self.settings
        weighted = ((settings.dense_weight, dense), (settings.lexical_weight, lexical))
        passage_score: dict[int, float] = {}
        for weight, ranking in weighted:
            for rank, (row, _) in enumerate(ranking):
                passage_score[row] = passage_score.get(row, 0.0) + weight / (settings.rrf_k + rank + 1)
        if settings.fusion == "passage":
            return passage_score
        paper_score: dict[str, float] = {}
        for weight, ranking in weighted:
            papers = dict.fromkeys(self.engine.rows[row].doc_id for row, _ in ranking)
            for rank, doc in enumerate(papers):
                paper_score[doc] = paper_score.get(doc, 0.0) + weight / (settings.rrf_k + rank + 1)
        return {row: paper_score[self.engine.rows[row].doc_id] + score / 1000 for row, score in passage_score.items()}

    def paper_similarity(self, query: str, doc_ids: list[str]) -> dict[str, float]:
        """Cosine similarity of ``query`` to each paper's vector (the mean of its passages')."""
        if not doc_ids:
            return {}
        vector = self.engine.embedder.encode_one(query)
        got = self.engine.papers.get(ids=list(doc_ids), include=["embeddings"])
        return {pid: float(np.asarray(v, dtype=np.float32) @ vector) for pid, v in zip(got["ids"], got["embeddings"])}

    def literal_members(self, literal: list[list[str]], wider: list[Passage], k: int) -> list[Passage]:
        """For a list question asking for literal mentions: the passages of up to ``k`` papers
        of ``wider`` (retrieved passages of more papers) whose abstract holds every word of one
        alternative, in retrieval order (none: an empty list)."""
        order = list(dict.fromkeys(p.doc_id for p in wider))
        rows = self.engine.rows  # the paper's passages from the memory-mapped table: no call to Chroma
        words = {d: mention_words(" ".join(rows[r].text for r in rows.of_paper(d))) for d in order}
        keep = [d for d in order if any(set(alternative) <= words[d] for alternative in literal)][:k]
        return [p for p in wider if p.doc_id in keep]

    def list_members(self, query: str, terms: list[str], passages: list[Passage],
                     literal: list[list[str]] | None = None, wider: list[Passage] | None = None) -> list[Passage]:
        """The passages of the papers that belong in a list answer. For a question asking for
        literal mentions, the papers of ``wider`` (``passages`` and more papers) that make one
        (:meth:`literal_members`); otherwise, or when
        none does, the best paper and each other whose whole abstract is within
        ``list_similarity_gap`` of the best paper's similarity to the query and whose passages
        hold ``list_min_coverage`` of its words (or within ``list_covered_gap``, holding
        ``min_term_coverage`` of them)."""
        from .evidence import weighted_coverage

        if literal and passages:
            mentioning = self.literal_members(literal, wider or passages, len({p.doc_id for p in passages}))
            if mentioning:
                return mentioning
        order = list(dict.fromkeys(p.doc_id for p in passages))
        similarity = self.paper_similarity(query, order)
        best = max(similarity.values(), default=0.0)
        keep = {order[0]} if order else set()
        for doc_id in order[1:]:
            text = " ".join(f"{p.title} {p.text}" for p in passages if p.doc_id == doc_id)
            gap, coverage = best - similarity.get(doc_id, -1.0), weighted_coverage(terms, text, self.engine.lexical)
            if ((gap <= self.settings.list_similarity_gap and coverage >= self.settings.list_min_coverage)
                    or (gap <= self.settings.list_covered_gap and coverage >= self.settings.min_term_coverage)):
                keep.add(doc_id)
        return [p for p in passages if p.doc_id in keep]

    def retrieve(self, query: str, k: int = 10, mode: Mode = "hybrid", rerank: bool | None = None,
                 flt: SearchFilter | None = None) -> list[Passage]:
        """The ``k`` best passages, at most ``max_passages_per_paper`` from one paper; only
        from papers passing ``flt`` when that is given."""
        order, scores, similarity = self.rank(query, mode, rerank, flt)
        per_paper: dict[str, int] = {}
        chosen: list[Passage] = []
        for row_index in order:
            row = self.engine.rows[row_index]
            if per_paper.get(row.doc_id, 0) >= self.settings.max_passages_per_paper:
                continue
            per_paper[row.doc_id] = per_paper.get(row.doc_id, 0) + 1
            chosen.append(self.engine.passage(row_index, scores[row_index], similarity[row_index]))
            if len(chosen) >= k:
                break
        return chosen
