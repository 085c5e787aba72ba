"""The ``openai`` answer backend: any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama,
llama.cpp's server, LM Studio, ``rag serve-model``) through ``langchain-openai``, streamed."""

from __future__ import annotations

from collections.abc import Callable

from ..answers.backends import AnswerBackend, ChatModelBackend
from ..errors import missing_dependency
from ..settings import Settings


def openai_backend(settings: Settings) -> AnswerBackend:
    """The backend for ``settings.openai`` (a clear error when langchain-openai is missing)."""
    import os

    try:
        from langchain_openai import ChatOpenAI
    except ImportError as error:
        raise missing_dependency("langchain-openai", "openai", "The 'openai' backend") from error
    config = settings.openai
    base_url = config.base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
    model = ChatOpenAI(
        model=config.model,
        base_url=base_url,
        api_key=config.api_key or os.environ.get("OPENAI_API_KEY") or "not-needed",
        timeout=config.timeout_s,
        max_retries=0,
        temperature=config.temperature,
    )
    return ChatModelBackend("openai", model, endpoint=base_url)


def register_llms(register: Callable[..., None]) -> None:
    register("openai", openai_backend,
             description="Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp, LM Studio).")
