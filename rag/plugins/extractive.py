"""The ``extractive`` backend: no generative model, fully offline and deterministic.

It answers with verbatim sentences of the retrieved passages, each cited, composed for the
kind of question asked (:mod:`rag.compose`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..answers.compose import compose, render
from ..index.embeddings import get_embedder
from ..index.lexical import tokenize
from ..models import Passage
from ..retrieval.questions import read_question
from ..settings import Settings


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

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str]:
        lines = compose(read_question(question), passages, self.embedder, self.settings)
        if lines:
            yield render(lines)


def register_llms(register: Callable[..., None]) -> None:
    register("extractive", ExtractiveBackend,
             description="Offline, no generative model: the most relevant sentences, cited.")
