"""The ``torch`` embedding backend: sentence-transformers on PyTorch, fp32 (the reference the
refusal thresholds are calibrated on), or bf16 weights for bulk encoding (``rag index``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from ..errors import EmbeddingModelError, MissingDependencyError, missing_dependency
from ..index.embeddings import Embedder, bulk_runtime, get_embedder, model_location
from ..settings import EmbeddingSettings

log = logging.getLogger(__name__)


class TorchEmbedder(Embedder):
    """sentence-transformers on PyTorch."""

    def __init__(self, settings: EmbeddingSettings, precision: str = "float32") -> None:
        super().__init__(settings)
        self.precision = precision
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise missing_dependency("sentence-transformers", "core", "Embedding") from error
        location = model_location(settings)
        try:
            import transformers

            transformers.logging.disable_progress_bar()
            self.model = SentenceTransformer(location, device=settings.device)
            if precision == "bfloat16":
                import torch

                self.model = self.model.to(torch.bfloat16)
        except Exception as error:  # noqa: BLE001 - any load failure gets the same advice
            raise EmbeddingModelError(
                f"Cannot load the embedding model '{location}': {error}. Set "
                "RAG_EMBEDDINGS__MODEL to a local sentence-transformers folder, or unset it to "
                "use the packaged all-MiniLM-L6-v2."
            ) from error
        self.dimension = int(self.model.get_embedding_dimension())

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        if self.precision == "float32":
            return self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        vectors = self.model.encode(texts, batch_size=batch_size, convert_to_tensor=True,
                                    show_progress_bar=False).float().cpu().numpy()
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def runs_bf16_natively() -> bool:
    """Whether this CPU computes bf16 dot products in hardware: Intel AMX tiles or AVX-512 BF16
    (AMD Zen 4 and later, Intel Cooper Lake), where PyTorch encodes in bf16 about 3x faster
    than in float32 (BENCHMARKS.md); False where PyTorch cannot tell (a CPU without either
    emulates bf16, slower than float32)."""
    try:
        import torch

        return bool(torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported())
    except Exception:  # noqa: BLE001 - private PyTorch calls: absent means unknown
        return False


def bulk_torch_embedder(settings: EmbeddingSettings) -> Embedder:
    """The embedder ``rag index`` encodes the torch model's vectors with, in
    ``settings.bulk_precision``, run by ``settings.bulk_runtime`` (:func:`_other_runtime`)."""
    precision = settings.bulk_precision
    if precision == "auto":
        precision = "bfloat16" if settings.device == "cpu" and runs_bf16_natively() else "float32"
    other = _other_runtime(settings, precision)
    if other is not None:
        return other
    if precision == "float32":
        return get_embedder(settings)  # the query embedder: one model in memory
    return TorchEmbedder(settings, precision)


def _other_runtime(settings: EmbeddingSettings, precision: str) -> Embedder | None:
    """The registered runtime ``bulk_runtime`` names, or for 'auto' OpenVINO in bfloat16 on the
    CPU where it is installed (faster than PyTorch there); None: PyTorch encodes."""
    wanted = settings.bulk_runtime
    if wanted == "auto":
        if precision != "bfloat16" or settings.device != "cpu":
            return None
        wanted = "openvino"
    if wanted == "torch" or (factory := bulk_runtime(wanted)) is None:
        return None
    try:
        return factory(settings, precision)
    except (MissingDependencyError, EmbeddingModelError) as error:
        if settings.bulk_runtime != "auto":
            raise
        if not isinstance(error, MissingDependencyError):  # installed but broken: say so
            log.warning("%s PyTorch encodes instead.", error)
        return None


def register_embedders(register: Callable[..., None]) -> None:
    register("torch", TorchEmbedder, bulk=bulk_torch_embedder)
