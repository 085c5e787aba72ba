"""The OpenVINO bulk runtime: the ONNX export of the model (the ``onnx`` backend's file) compiled by
OpenVINO for the CPU. In bfloat16 on CPUs that compute it in hardware it encodes passages about
1.2-1.3x faster than PyTorch in bfloat16 (BENCHMARKS.md), with vectors within 1e-4 cosine of
float32, so ``rag index`` uses it there when OpenVINO is installed (``bulk_runtime``)."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from ..errors import EmbeddingModelError, missing_dependency
from ..index.embeddings import Embedder, in_length_order, model_location
from ..settings import EmbeddingSettings
from .onnx_embeddings import _cache_folder, _tokenizer, export_onnx

PRECISION_HINTS = {"bfloat16": "bf16", "float32": "f32"}


class OpenVinoEmbedder(Embedder):
    """Runs the exported model with OpenVINO on all cores, one inference at a time (the latency
    hint: one stream over every core, which measured faster than throughput streams here)."""

    def __init__(self, settings: EmbeddingSettings, precision: str = "float32") -> None:
        super().__init__(settings)
        self.precision = precision
        try:
            import openvino
        except ImportError as error:
            raise missing_dependency("openvino", "core", "The OpenVINO bulk runtime") from error
        try:
            path = export_onnx(settings.model_copy(update={"backend": "onnx"}))
            self.tokenizer = _tokenizer(model_location(settings))
            core = openvino.Core()
            config = {"INFERENCE_PRECISION_HINT": PRECISION_HINTS[precision], "PERFORMANCE_HINT": "LATENCY"}
            if threads := _thread_limit():
                config["INFERENCE_NUM_THREADS"] = threads
            self.compiled = core.compile_model(core.read_model(str(path)), "CPU", config)
            self.request = self.compiled.create_infer_request()
        except Exception as error:  # noqa: BLE001 - any compile failure gets the same advice
            raise EmbeddingModelError(
                f"Cannot prepare the OpenVINO bulk runtime: {error}. Delete {_cache_folder(settings)} "
                "to export the model again, or set RAG_EMBEDDINGS__BULK_RUNTIME=torch."
            ) from error
        self.dimension = int(self._encode(["dimension probe"], 1).shape[1])

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        vectors = in_length_order(texts, batch_size,
                                  lambda batch: next(iter(self.request.infer(self.tokenizer(batch)).values())))
        # the graph normalises, but in bf16: renormalise in float32 so a dot product is a cosine
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _thread_limit() -> int:
    """The thread count ``OMP_NUM_THREADS`` sets (Ray sets it to each actor's CPUs), which PyTorch
    obeys and OpenVINO does not on its own; 0: all cores."""
    try:
        return max(0, int(os.environ.get("OMP_NUM_THREADS", "0")))
    except ValueError:
        return 0


def register_bulk_runtimes(register: Callable[..., None]) -> None:
    register("openvino", OpenVinoEmbedder)
