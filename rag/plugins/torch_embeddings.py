"""The ``torch`` embedding backend: sentence-transformers on PyTorch, fp32 (the reference the
refusal thresholds are calibrated on)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import EmbeddingModelError, missing_dependency
from ..index.embeddings import Embedder, model_location
from ..settings import EmbeddingSettings


class TorchEmbedder(Embedder):
    """sentence-transformers on PyTorch."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        super().__init__(settings)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise missing_dependency("sentence-transformers", "core", "Embedding") from error
        location = model_location(settings)
        try:
            import transformers

            transformers.logging.disable_progress_bar()
            self.model = SentenceTransformer(location, device=settings.device)
        except Exception as error:  # noqa: BLE001 - any load failure gets the same advice
            raise EmbeddingModelError(
                f"Cannot load the embedding model '{location}': {error}. Set "
                "RAG_EMBEDDINGS__MODEL to a local sentence-transformers folder, or unset it to "
                "use the packaged all-MiniLM-L6-v2."
            ) from error
        self.dimension = int(self.model.get_embedding_dimension())

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        return self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)


def register_embedders(register: Callable[..., None]) -> None:
    register("torch", TorchEmbedder)
