"""The ``llamacpp`` answer backend: a local GGUF model on the CPU through a prebuilt llama.cpp
binding (:mod:`.backend`), with its GGUF reader (:mod:`.gguf`), chat templates
(:mod:`.chat_templates`), an OpenAI-compatible model server (:mod:`.model_server`) and the
assembly of fixture models from PyPI parts (:mod:`.model_files`). Registering imports none of
them: the binding is needed only when the backend is used."""

from __future__ import annotations

from collections.abc import Callable


def llamacpp_backend(settings):
    """The backend for ``settings.llamacpp``."""
    from .backend import LlamaCppBackend

    return LlamaCppBackend(settings)


def register_llms(register: Callable[..., None]) -> None:
    register("llamacpp", llamacpp_backend,
             description="A local GGUF model on the CPU (llama.cpp); RAG_LLAMACPP__MODEL_PATH names the file.")
