"""Question answering over machine-learning paper abstracts, with verified citations.

Public API::

    from rag import ask, search
    answer = ask("What did the Chinchilla paper find about compute-optimal training?")
    print(answer.text)
    for c in answer.citations:
        print(c.n, c.title, c.source)
"""

from __future__ import annotations

from .answers.backends import available_llms, get_llm, register
from .answers.pipeline import ask, search, stream_ask
from .answers.prompts import CANNOT_ANSWER
from .corpus.reader import CorpusWarning, load_corpus
from .errors import (
    CorpusError,
    EmbeddingModelError,
    IndexMissingError,
    IndexOutdatedError,
    IndexSpaceError,
    LLMUnavailableError,
    MissingDependencyError,
    QuestionError,
    RagError,
    StoreUnavailableError,
    UnknownLLMError,
)
from .models import Answer, Citation, Paper, Passage, Progress
from .retrieval.filters import SearchFilter
from .settings import Settings

__all__ = [
    "ask", "search", "stream_ask", "build_index", "load_corpus", "available_llms", "get_llm",
    "register", "Answer", "Citation", "Passage", "Paper", "Progress", "Settings", "SearchFilter", "CANNOT_ANSWER",
    "RagError", "QuestionError", "CorpusError", "CorpusWarning", "IndexMissingError",
    "IndexOutdatedError", "IndexSpaceError", "StoreUnavailableError", "EmbeddingModelError", "UnknownLLMError",
    "LLMUnavailableError", "MissingDependencyError", "HybridRetriever", "RagRetriever",
]


def build_index(settings: Settings | None = None, rebuild: bool = True) -> dict:
    """Build (or with ``rebuild=False``, only bring up to date) the index; returns its manifest."""
    from .index.engine import get_engine

    return get_engine(settings or Settings(), rebuild=rebuild).manifest


def __getattr__(name: str):
    if name == "HybridRetriever":
        from .retrieval.hybrid import HybridRetriever

        return HybridRetriever
    if name == "RagRetriever":
        from .interfaces.langchain import RagRetriever

        return RagRetriever
    raise AttributeError(name)
