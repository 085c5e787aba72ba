"""The ONNX Runtime embedding backend: the sentence-transformers model exported once to ONNX
(mean pooling and normalisation inside the graph), optionally quantised to int8, cached."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import EmbeddingModelError, missing_dependency
from ..index.embeddings import Embedder, in_length_order, model_location
from ..settings import EmbeddingSettings

EXPORT_VERSION = 3
log = logging.getLogger(__name__)


def _cache_folder(settings: EmbeddingSettings) -> Path:
    location = model_location(settings)
    key = hashlib.sha1(f"{Path(location).resolve()}|{EXPORT_VERSION}".encode()).hexdigest()[:12]
    return Path(settings.cache_dir).expanduser() / f"onnx-{Path(location).name}-{key}"


def export_onnx(settings: EmbeddingSettings) -> Path:
    """Export the model to ONNX (and int8) once; returns the file the backend runs."""
    folder = _cache_folder(settings)
    fp32, int8 = folder / "model.onnx", folder / "model-int8.onnx"
    wanted = int8 if settings.backend == "onnx-int8" else fp32
    if wanted.exists():
        return wanted
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer
    except ImportError as error:
        raise missing_dependency("torch", "core", "Exporting the ONNX embedding model") from error
    location = model_location(settings)
    if not fp32.exists():
        tokenizer = AutoTokenizer.from_pretrained(location)
        model = AutoModel.from_pretrained(location).eval()

        class Pooled(torch.nn.Module):
            def __init__(self, encoder):
                super().__init__()
                self.encoder = encoder

            def forward(self, input_ids, attention_mask, token_type_ids):
                hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(pooled, p=2, dim=1)

        sample = tokenizer(["an example sentence"], return_tensors="pt")
        names = ["input_ids", "attention_mask", "token_type_ids"]
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".onnx", delete=False) as handle:
            partial = Path(handle.name)
        log.info("Exporting the embedding model to ONNX in %s (once per machine)", folder)
        with warnings.catch_warnings():  # the tracer's warnings concern shapes the pooled graph does not use
            warnings.simplefilter("ignore")
            torch.onnx.export(Pooled(model), tuple(sample[n] for n in names), str(partial),
                              input_names=names, output_names=["embedding"], opset_version=17,
                              dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names},
                                            "embedding": {0: "batch"}},
                              dynamo=False)
        os.replace(partial, fp32)  # readers never see a half-written file
    if wanted == int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        with tempfile.NamedTemporaryFile(dir=folder, suffix=".onnx", delete=False) as handle:
            partial = Path(handle.name)
        # per-channel weights: cosine to fp32 0.993 on the seed passages, against 0.952 per-tensor
        quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)
        os.replace(partial, int8)
    return wanted


class _Tokenizer:
    """The model's ``tokenizer.json`` run by the ``tokenizers`` library: what transformers'
    fast tokenizer runs, without importing transformers and torch (seconds at start-up)."""

    def __init__(self, location: str, max_tokens: int) -> None:
        import json

        from tokenizers import Tokenizer

        folder = Path(location)
        config = json.loads((folder / "tokenizer_config.json").read_text()) \
            if (folder / "tokenizer_config.json").is_file() else {}
        self.max_tokens = min(max_tokens, int(config.get("model_max_length") or max_tokens))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_tokens)
        pad = config.get("pad_token") or "[PAD]"
        pad = pad.get("content", "[PAD]") if isinstance(pad, dict) else pad
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id(pad) or 0, pad_token=pad)

    def __call__(self, texts: list[str]) -> dict[str, np.ndarray]:
        encoded = self.tokenizer.encode_batch(texts)
        return {"input_ids": np.asarray([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.asarray([e.attention_mask for e in encoded], dtype=np.int64),
                "token_type_ids": np.asarray([e.type_ids for e in encoded], dtype=np.int64)}


def _tokenizer(location: str, max_tokens: int = 256):
    """A tokenizer for the model: :class:`_Tokenizer` when the model has a ``tokenizer.json``,
    else transformers' ``AutoTokenizer`` (slower to import)."""
    if (Path(location) / "tokenizer.json").is_file():
        return _Tokenizer(location, max_tokens)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(location)
    limit = min(max_tokens, getattr(tokenizer, "model_max_length", max_tokens) or max_tokens)

    def encode(texts: list[str]) -> dict[str, np.ndarray]:
        encoded = tokenizer(texts, padding=True, truncation=True, max_length=limit, return_tensors="np")
        return {name: encoded[name].astype(np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
    return encode


def _providers(settings: EmbeddingSettings, onnxruntime) -> list[str]:
    """ONNX Runtime's CUDA provider first when ``device`` is cuda and it is installed
    (``onnxruntime-gpu``), else the CPU."""
    if settings.device.startswith("cuda"):
        if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
            return ["CUDAExecutionProvider", "CPUExecutionProvider"]
        log.warning("RAG_EMBEDDINGS__DEVICE is '%s' but ONNX Runtime has no CUDA provider here (install "
                    "onnxruntime-gpu); the %s backend runs on the CPU", settings.device, settings.backend)
    return ["CPUExecutionProvider"]


class OnnxEmbedder(Embedder):
    """Runs the exported model with ONNX Runtime on all cores."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        super().__init__(settings)
        try:
            import onnxruntime
        except ImportError as error:
            raise missing_dependency("onnxruntime", "core", "The ONNX embedding backend") from error
        try:
            path = export_onnx(settings)
            self.tokenizer = _tokenizer(model_location(settings))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = os.cpu_count() or 1
            options.log_severity_level = 3
            self.session = onnxruntime.InferenceSession(str(path), options, providers=_providers(settings, onnxruntime))
        except Exception as error:  # noqa: BLE001
            raise EmbeddingModelError(
                f"Cannot prepare the {settings.backend} embedding backend: {error}. Delete "
                f"{_cache_folder(settings)} to export again, or set RAG_EMBEDDINGS__BACKEND=torch."
            ) from error
        self.dimension = int(self._encode(["dimension probe"], 1).shape[1])

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        return in_length_order(texts, batch_size, lambda batch: self.session.run(None, self.tokenizer(batch))[0])


def register_embedders(register: Callable[..., None]) -> None:
    register("onnx", OnnxEmbedder)
    register("onnx-int8", OnnxEmbedder)
