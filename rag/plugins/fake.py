"""A deterministic fake chat model, FOR TESTS ONLY. The product never registers it; tests do,
as the ``fake`` backend: ``register("fake", fake_backend)``.

It answers by copying the first sentence of the first two sources with correct ``[n]``
markers, then adds a sentence citing a source that does not exist and one claim that no
source supports, so the citation checks always have something to remove.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from ..answers.prompts import CANNOT_ANSWER
from ..corpus.text import sentences

_SOURCE = re.compile(r'<source id="(\d+)"[^>]*>\n(.*?)\n</source>', re.DOTALL)
INVALID_MARKER_SENTENCE = "This sentence cites a source that does not exist [99]."
UNSUPPORTED_SENTENCE = "Bananas grow fastest on the dark side of the moon [1]."


class FakeCitingChatModel(BaseChatModel):
    """Deterministic chat model for tests; see the module docstring."""

    @property
    def _llm_type(self) -> str:
        return "fake-citing"

    def _answer(self, messages: list[BaseMessage]) -> str:
        sources = _SOURCE.findall(str(messages[-1].content))
        if not sources:
            return CANNOT_ANSWER
        parts = []
        for number, text in sources[:2]:
            first = sentences(text)[0].rstrip(".")
            parts.append(f"{first} [{number}].")
        return " ".join(parts + [INVALID_MARKER_SENTENCE, UNSUPPORTED_SENTENCE])

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._answer(messages)))])

    def _stream(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for word in re.findall(r"\S+\s*", self._answer(messages)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))


def fake_backend(settings: Any = None):
    """The fake model as an answer backend named ``fake`` (a factory for ``rag.register``)."""
    from ..answers.backends import ChatModelBackend

    return ChatModelBackend("fake", FakeCitingChatModel())
