"""The ``extractive`` backend: no generative model, fully offline and deterministic.

It answers with the retrieved sentences most similar to the question, each cited.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .citations import inert_markers, with_markers
from .embeddings import get_embedder
from .models import Passage
from .settings import Settings
from .lexical import tokenize
from .text import sentence_spans


def term_overlap(question: str, sentence: str) -> float:
    """Share of the question's content words (stemmed) that occur in ``sentence``."""
    wanted = set(tokenize(question))
    return len(wanted & set(tokenize(sentence))) / len(wanted) if wanted else 0.0


class ExtractiveBackend:
    """Composes an answer from the best sentences of the passages; see the module docstring."""

    name = "extractive"
    generative = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings.answer
        self.embedder = get_embedder(settings.embeddings)

    def select(self, question: str, passages: list[Passage]) -> list[tuple[int, str]]:
        """``(passage number, sentence)`` pairs for the answer, best first."""
        seen: set[tuple[str, int]] = set()
        candidates: list[tuple[int, str]] = []
        positions: list[int] = []
        for number, passage in enumerate(passages, start=1):
            for start, end in sentence_spans(passage.text):
                key = (passage.doc_id, passage.start + start)  # overlapping passages share sentences
                if key not in seen:
                    seen.add(key)
                    candidates.append((number, passage.text[start:end]))
                    positions.append(passage.start + start)
        if not candidates:
            return []
        vectors = self.embedder.encode_cached([question] + [s for _, s in candidates])
        scores = vectors[1:] @ vectors[0] + self.settings.overlap_weight * np.asarray(
            [term_overlap(question, s) for _, s in candidates]
        )
        floor = max(self.settings.min_sentence_similarity, float(scores.max()) - self.settings.max_score_gap)
        order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
        chosen = [i for i in order[: self.settings.max_sentences] if i == order[0] or scores[i] >= floor]
        # read like a text: papers in order of their best sentence, sentences in abstract order
        paper_rank = {}
        for i in chosen:
            paper_rank.setdefault(passages[candidates[i][0] - 1].doc_id, len(paper_rank))
        chosen.sort(key=lambda i: (paper_rank[passages[candidates[i][0] - 1].doc_id], positions[i]))
        return [candidates[i] for i in chosen]

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str]:
        for k, (number, sentence) in enumerate(self.select(question, passages)):
            yield ("" if k == 0 else " ") + with_markers(inert_markers(sentence), [number])
