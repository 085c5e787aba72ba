"""The ``llamacpp`` answer backend: a local GGUF model on the CPU through a prebuilt llama.cpp
binding (:mod:`.backend`; the loaded model in :mod:`.local_model`), with its GGUF reader
(:mod:`.gguf`), chat templates (:mod:`.chat_templates`), an OpenAI-compatible model server
(:mod:`.model_server`) and the assembly of fixture models from PyPI parts (:mod:`.model_files`).
Registering imports none of them: the binding is needed only when the backend is used."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...settings import Settings


def llamacpp_backend(settings):
    """The backend for ``settings.llamacpp``."""
    from .backend import LlamaCppBackend

    return LlamaCppBackend(settings)


def llamacpp_check(settings: Settings) -> str | None:
    """Why 'llamacpp' cannot run here: no binding, or no readable GGUF model file."""
    from importlib.util import find_spec

    from .gguf import read_metadata
    from .local_model import default_model_path

    if find_spec("ik_llama_cpp") is None:
        return "llama.cpp is not installed: pip install 'rag[local]'."
    read_metadata(default_model_path(settings.llamacpp))  # a clear error for a missing or bad file
    return None


def register_llms(register: Callable[..., None]) -> None:
    register("llamacpp", llamacpp_backend, check=llamacpp_check,
             description="A local GGUF model on the CPU (llama.cpp); RAG_LLAMACPP__MODEL_PATH names the file.")
