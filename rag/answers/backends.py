"""Answer backends, by name: the registry, and what a backend is.

A backend turns a question and numbered passages into answer text, streamed in pieces.
Built-ins and plugins register the same way: a module or package with a function
``register_llms(register)`` that calls ``register(name, factory, description=...)``. The
built-ins are the modules of :data:`DEFAULT_PLUGINS` (``rag/plugins/``), loaded by name;
other packages expose their hook in the ``rag.llms`` entry-point group::

    [project.entry-points."rag.llms"]
    my_backend = "my_package:register_llms"

A factory takes :class:`~rag.settings.Settings` and returns an :class:`AnswerBackend`.
Generative backends wrap a LangChain chat model (:class:`ChatModelBackend`).
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol

from ..corpus.display import display_text
from ..errors import LLMUnavailableError, RagError, UnknownLLMError
from ..models import Passage
from ..retrieval.conversation import resolves_follow_up
from ..settings import Settings
from .citations import MARKER, inert_markers, is_refusal
from .prompts import (
    CONDENSE_EXAMPLE,
    CONDENSE_PROMPT,
    CONDENSE_SYSTEM_PROMPT,
    SOURCE_TEMPLATE,
    SOURCES_PROMPT,
    SYSTEM_PROMPT,
)

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "rag.llms"
DEFAULT_PLUGINS = ("rag.plugins.extractive", "rag.plugins.openai", "rag.plugins.llamacpp")


class AnswerBackend(Protocol):
    """What :func:`rag.ask` needs from a backend."""

    name: str
    generative: bool
    """True: the text is written by a model and is checked against the passages afterwards."""

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str]:
        """Yield the answer text in pieces; ``[n]`` markers number ``passages`` from 1."""
        ...


Factory = Callable[[Settings], AnswerBackend]


@dataclass(frozen=True)
class Registration:
    name: str
    factory: Factory
    description: str
    check: Callable[[Settings], str | None] | None = None


_registry: dict[str, Registration] = {}
_loaded = False
_lock = threading.Lock()


def register(name: str, factory: Factory, description: str = "",
             check: Callable[[Settings], str | None] | None = None) -> None:
    """Register an answer backend ``factory`` under ``name`` (a later registration wins).
    ``check(settings)``, when given, cheaply says why the backend cannot run here (or None)."""
    _registry[name] = Registration(name, factory, description, check)


def why_unavailable(name: str, settings: Settings) -> str | None:
    """Why the backend ``name`` cannot run with ``settings`` (a missing model file, say), or
    None when nothing known stops it."""
    _load()
    registration = _registry.get(name)
    if registration is None:
        return f"Unknown model: {name}."
    if registration.check is None:
        return None
    try:
        return registration.check(settings)
    except RagError as error:
        return str(error)


def _load() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        for module in DEFAULT_PLUGINS:  # the built-ins, also when the package is not installed
            importlib.import_module(module).register_llms(register)
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            if entry.value.startswith("rag."):
                continue  # a built-in, already loaded
            try:
                entry.load()(register)
            except Exception as error:  # noqa: BLE001 - a broken plugin must not break the rest
                log.warning("The answer backend plugin '%s' failed to load: %s", entry.name, error)
        _loaded = True


def available_llms() -> list[str]:
    """Names of the registered answer backends."""
    _load()
    return sorted(_registry)


def describe_llms() -> dict[str, str]:
    """Name to one-line description of every registered backend."""
    _load()
    return {name: _registry[name].description for name in sorted(_registry)}


def get_llm(name: str, settings: Settings | None = None) -> AnswerBackend:
    """The backend registered as ``name``; :class:`UnknownLLMError` lists the known ones."""
    _load()
    if name not in _registry:
        raise UnknownLLMError(f"Unknown model: {name}. Known models: {', '.join(sorted(_registry))}.")
    return _registry[name].factory(settings or Settings())


_QUESTION_WORDS = frozenset("what which who whom whose when where why how is are does do did can could has have was were".split())
_DELIMITER = re.compile(r"<(/?)(source)", re.IGNORECASE)


def _inert(text: str) -> str:
    """Text that cannot close or open a source block of the prompt, nor hold citation markers."""
    return inert_markers(_DELIMITER.sub(r"[\1\2", text))


def format_sources(passages: list[Passage]) -> str:
    """The passages as numbered, delimited sources for a prompt, named by their papers' labels,
    LaTeX readable; a passage cannot fake the delimiters (``</source>`` inside one becomes
    ``[/source>``)."""
    return "\n".join(
        SOURCE_TEMPLATE.format(n=n, title=_inert(p.label or p.title).replace('"', "'"),
                               text=_inert(display_text(p.text)))
        for n, p in enumerate(passages, start=1)
    )


def build_messages(question: str, passages: list[Passage]):
    """The chat messages for a generative backend (system rules, then sources and question)."""
    from langchain_core.prompts import ChatPromptTemplate

    prompt = ChatPromptTemplate.from_messages([("system", SYSTEM_PROMPT), ("human", SOURCES_PROMPT)])
    return prompt.format_messages(sources=format_sources(passages), question=question)


class ChatModelBackend:
    """A generative backend around any LangChain chat model."""

    generative = True

    def __init__(self, name: str, chat_model, endpoint: str = "") -> None:
        self.name = name
        self.chat_model = chat_model
        self.endpoint = endpoint

    def call_options(self) -> dict:
        """Extra keyword arguments for the chat model's ``stream`` (per answer)."""
        return {}

    def condense(self, previous: str, question: str) -> str | None:
        """``question`` rewritten by the model as a standalone question, using ``previous``;
        None when the model fails or its rewrite drops a word of the follow-up or resolves nothing."""
        example, rewrite = CONDENSE_EXAMPLE
        messages = [("system", CONDENSE_SYSTEM_PROMPT), ("human", example), ("ai", rewrite),
                    ("human", CONDENSE_PROMPT.format(previous=previous, question=question))]
        try:
            reply = self.chat_model.invoke(messages, **self.call_options())
        except Exception:  # noqa: BLE001 - the rule-based rewrite stands in
            log.debug("the follow-up rewrite failed", exc_info=True)
            return None
        text = reply.content if isinstance(reply.content, str) else ""
        line = next((part.strip() for part in text.splitlines() if part.strip()), "")
        line = line.removeprefix("Standalone question:").strip().strip('"')
        asks = line.endswith("?") or line.split(" ", 1)[0].lower() in _QUESTION_WORDS
        usable = asks and 3 <= len(line.split()) <= 60 and not MARKER.search(line) and not is_refusal(line)
        return line if usable and resolves_follow_up(line, question, previous) else None

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str]:
        try:
            for chunk in self.chat_model.stream(build_messages(question, passages), **self.call_options()):
                text = chunk.content if isinstance(chunk.content, str) else "".join(
                    part.get("text", "") for part in chunk.content if isinstance(part, dict)
                )
                if text:
                    yield text
        except RagError:
            raise  # already says what happened and what to do
        except Exception as error:  # noqa: BLE001 - each provider raises its own types
            where = f" at {self.endpoint}" if self.endpoint else ""
            detail = (str(error).splitlines() or ["no details"])[0].rstrip(". ")
            raise LLMUnavailableError(
                f"The '{self.name}' model{where} failed: {type(error).__name__}: {detail}. Check that the "
                "server is running and the URL, model and key settings, or use --llm extractive."
            ) from error
