"""The hybrid retriever as a LangChain ``BaseRetriever``, for use in your own chains::

    from rag import RagRetriever
    retriever = RagRetriever(k=5)
    docs = retriever.invoke("Which papers mention GPT-3 by name?")
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from ..answers.pipeline import search
from ..settings import Settings


class RagRetriever(BaseRetriever):
    """Hybrid (dense + BM25) retrieval over the index; each Document is one passage, with the
    passage's fields (``doc_id``, ``title``, ``source``, ``start``, ``end``, ``score``...) as
    metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    k: int = Field(5, description="Passages returned.")
    mode: str = Field("hybrid", description="'hybrid', 'dense' or 'bm25'.")
    settings: Settings | None = Field(None, description="Settings; None means Settings().")

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        passages = search(query, k=self.k, mode=self.mode, settings=self.settings)  # type: ignore[arg-type]
        return [
            Document(page_content=p.text, metadata=p.model_dump(exclude={"text"}), id=p.passage_id)
            for p in passages
        ]
