"""The 'llamacpp' answer backend: a local GGUF model on the CPU, nothing sent away.

It runs through ik-llama-cpp-python, a llama.cpp binding with a prebuilt manylinux wheel (no
compiler needed; README "Local generative answers" compares the bindings tried), driven by
:class:`~.local_model.LocalModel`. :class:`ChatLocalGGUF` wraps that as a LangChain chat model,
so it answers through the same prompt and citation checks as any other.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from ...answers.backends import ChatModelBackend, build_messages
from ...answers.compose import focus_passages
from ...errors import LLMUnavailableError
from ...index.embeddings import get_embedder
from ...models import Passage
from ...retrieval.questions import read_question
from ...settings import LlamaCppSettings, Settings
from .local_model import LocalModel, default_model_path, load_model

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class ChatLocalGGUF(BaseChatModel):
    """LangChain chat model over a local GGUF file (see :class:`LocalModel`)."""

    settings: LlamaCppSettings
    path: Path

    @property
    def _llm_type(self) -> str:
        return "rag-llamacpp"

    def local(self) -> LocalModel:
        return load_model(self.path, self.settings)

    @staticmethod
    def _turns(messages: list[BaseMessage]) -> list[dict[str, str]]:
        return [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages]

    def get_num_tokens_from_messages(self, messages: list[BaseMessage], tools: Any = None) -> int:
        return len(self.local().prompt_tokens(self._turns(messages)))

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: Any = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        deadline = kwargs.get("deadline") or time.monotonic() + self.settings.max_seconds
        wrote = False
        for piece in self.local().stream_reply(self._turns(messages), self.settings, deadline):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            wrote = True
            yield chunk
        if not wrote:  # the model ended at once: an empty answer, not a failure (LangChain raises on none)
            yield ChatGenerationChunk(message=AIMessageChunk(content=""))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: Any = None, **kwargs: Any) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


class LlamaCppBackend(ChatModelBackend):
    """The 'llamacpp' backend: fits the passages to the context, then generates."""

    def __init__(self, settings: Settings) -> None:
        self.config = settings.llamacpp
        self.embeddings, self.answer_settings = settings.embeddings, settings.answer
        path = default_model_path(self.config)
        model = ChatLocalGGUF(settings=self.config, path=path)
        model.local()  # load now: a bad file fails here, with its message
        super().__init__("llamacpp", model, endpoint=str(path))
        self.notes: list[str] = []

    def fit(self, question: str, passages: list[Passage]) -> list[Passage]:
        """What the model reads: the most relevant passages, cut around their best sentences
        (``passages``, ``sentences`` settings), as many as leave room for the answer in the
        context; a note says how many were left out for room."""
        passages = focus_passages(read_question(question), passages, get_embedder(self.embeddings),
                                  self.answer_settings, self.config.passages, self.config.sentences)
        room = self.config.n_ctx - self.config.max_tokens
        kept = list(passages)
        while kept and self.chat_model.get_num_tokens_from_messages(build_messages(question, kept)) > room:
            kept.pop()
        if not kept and passages:
            raise LLMUnavailableError(
                f"Not even one passage fits the model's context of {self.config.n_ctx} tokens with "
                f"{self.config.max_tokens} kept for the answer. Raise RAG_LLAMACPP__N_CTX."
            )
        if len(kept) < len(passages):
            self.notes.append(
                f"{len(passages) - len(kept)} of {len(passages)} passages were left out to fit the "
                f"model's context of {self.config.n_ctx} tokens (RAG_LLAMACPP__N_CTX)"
            )
        return kept

    def call_options(self) -> dict:
        """The answer's time bound starts when its generation is asked for."""
        return {"deadline": time.monotonic() + self.config.max_seconds}
