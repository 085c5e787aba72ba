"""Every error the library raises on purpose, in one place.

All of them derive from :class:`RagError`, and every message says what to do next,
so the CLI, the UI and the HTTP API can show ``str(error)`` as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class RagError(Exception):
    """Base class of all errors raised by ``rag`` on purpose."""


class QuestionError(RagError, ValueError):
    """The question (or a request parameter) is not acceptable: empty, too long, bad ``k``."""


class CorpusError(RagError):
    """The corpus path is missing or holds no loadable paper."""


class IndexError_(RagError):
    """Base for index problems (named with a trailing underscore to keep the builtin usable)."""


class IndexMissingError(IndexError_):
    """No index has been built yet and building was not allowed."""


class IndexOutdatedError(IndexError_):
    """The index was built from other settings or another corpus and rebuilding was not allowed."""


class StoreUnavailableError(IndexError_):
    """The Chroma store (a directory or a server) cannot be opened."""


class IndexSpaceError(IndexError_):
    """The disk holding the index filled up during a build (the previous build stays live)."""


class EmbeddingModelError(RagError):
    """The embedding model cannot be loaded."""


class UnknownLLMError(RagError, KeyError):
    """No answer backend is registered under the requested name."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0]) if self.args else "Unknown model"


class LLMUnavailableError(RagError):
    """A generative backend cannot be reached or failed to answer."""


class MissingDependencyError(RagError, ImportError):
    """An optional extra is needed for this feature and is not installed."""


def missing_dependency(package: str, extra: str, feature: str) -> MissingDependencyError:
    """Build the error for an optional dependency that is not installed."""
    return MissingDependencyError(
        f"{feature} needs the '{package}' package. Install it with: pip install 'rag[{extra}]'"
    )


class ModelFileError(RagError):
    """A local model file (GGUF) is missing, is not a model, or cannot be loaded."""


class GenerationTimeoutError(LLMUnavailableError):
    """A generative backend did not finish within its time bound."""


def causes(error: BaseException | None):
    """``error``, then what it was raised from or during (``__cause__``, else ``__context__``),
    each once."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def settings_problem(error: ValidationError) -> str:
    """One line naming each invalid setting of a ``Settings()`` validation error: the
    environment variable, what is wrong and what was given ("RAG_ANSWER__EXTRACTIVE_KINDS:
    Input should be 'quantity', 'list', ... (got 'lists')"), then what to do."""
    lines = []
    for problem in error.errors():
        names = [str(part) for part in problem["loc"] if not isinstance(part, int)]
        given = problem.get("input")
        shown = f" (got {given!r})" if isinstance(given, (str, int, float)) else ""
        lines.append(f"RAG_{'__'.join(names).upper()}: {problem['msg']}{shown}")
    several = len(lines) > 1
    return (f"Invalid setting{'s' if several else ''} (environment or .env): {'; '.join(lines)}. "
            f"Fix or unset {'them' if several else 'it'}; README's settings table lists every one.")
