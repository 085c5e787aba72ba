"""``ask``, ``stream_ask`` and ``search``: the public entry points of the pipeline."""

from __future__ import annotations

import time
from collections.abc import Iterator

from .citations import check_answer
from .conversation import History, standalone_query
from .engine import forget_engine, get_engine
from .errors import GenerationTimeoutError, LLMUnavailableError, QuestionError
from .filters import SearchFilter, make_filter
from .llms import get_llm
from .models import Answer, Passage
from .prompts import CANNOT_ANSWER
from .refusal import unknown_terms
from .retrieval import HybridRetriever, Mode
from .settings import Settings
from .text import has_lone_surrogate, strip_invisible

MAX_K = 50


def validate_question(question: object, settings: Settings) -> str:
    """The question, stripped; :class:`QuestionError` when it is not usable."""
    if not isinstance(question, str):
        raise QuestionError(f"The question must be text, not {type(question).__name__}.")
    if has_lone_surrogate(question):
        raise QuestionError("The question holds invalid Unicode (a lone surrogate code point). "
                            "Send it as UTF-8 text.")
    cleaned = strip_invisible(question).strip()
    if not cleaned:
        raise QuestionError("The question is empty. Ask something about the papers.")
    limit = settings.answer.max_question_chars
    if len(cleaned) > limit:
        raise QuestionError(
            f"The question is {len(cleaned):,} characters long; the limit is {limit:,}. Shorten it."
        )
    return cleaned


def validate_k(k: object) -> int:
    """``k`` as an int in 1..50; :class:`QuestionError` otherwise."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise QuestionError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}.")
    return k


def in_scope(engine, query: str, passages: list[Passage], settings: Settings) -> bool:
    """Whether retrieval found something relevant enough to answer from."""
    if not passages:
        return False
    if max(p.similarity for p in passages) >= settings.retrieval.min_relevance:
        return True
    coverage = max(engine.lexical.coverage(query, f"{p.title} {p.text}") for p in passages)
    return coverage >= settings.retrieval.min_term_coverage


def _retrieve(settings: Settings, query: str, k: int, mode: Mode, filters, collections):
    """The engine and the passages for ``query``. If another process swapped in a new build
    between two index checks (the old collections are gone), the engine is loaded again once."""
    for attempt in (1, 2):
        engine = get_engine(settings)
        flt = make_filter(filters, collections, engine.collections)
        try:
            return engine, HybridRetriever(engine).retrieve(query, k, mode, flt=flt)
        except Exception as error:  # noqa: BLE001 - chromadb's NotFoundError, by name
            if attempt == 2 or type(error).__name__ != "NotFoundError":
                raise
            forget_engine(settings)
    raise AssertionError("unreachable")


def search(question: str, *, k: int = 10, mode: Mode = "hybrid", collections: list[str] | None = None,
           filters: SearchFilter | dict | None = None, settings: Settings | None = None) -> list[Passage]:
    """The ``k`` passages most relevant to ``question``, best first; only from papers passing
    ``filters`` (collections, categories, authors, year_from, year_to) when given;
    ``collections`` is a shorthand for ``filters={"collections": [...]}``."""
    settings = settings or Settings()
    question = validate_question(question, settings)
    k = validate_k(k)
    engine, passages = _retrieve(settings, question, k, mode, filters, collections)
    return passages


def stream_ask(
    question: str,
    *,
    k: int = 5,
    llm: str | None = None,
    history: History | None = None,
    collections: list[str] | None = None,
    filters: SearchFilter | dict | None = None,
    settings: Settings | None = None,
) -> Iterator[str | Answer]:
    """Like :func:`ask`, but yields the answer text in pieces as it is produced, then the
    final, checked :class:`Answer` (whose text may differ: unsupported parts removed)."""
    started = time.perf_counter()
    settings = settings or Settings()
    question = validate_question(question, settings)
    k = validate_k(k)
    name = llm or settings.llm
    backend = get_llm(name, settings)
    query = standalone_query(question, history)
    engine, passages = _retrieve(settings, query, k, "hybrid", filters, collections)
    timings = {"retrieve": time.perf_counter() - started}
    answer = Answer(question=question, text=CANNOT_ANSWER, refused=True, llm=backend.name,
                    query=query, closest=passages)
    unknown = unknown_terms(question, engine.vocabulary) if settings.retrieval.refuse_unknown_names else []
    if unknown:
        answer.notes.append(f"the corpus never mentions {', '.join(unknown)}")
        yield answer.text
    elif not in_scope(engine, query, passages, settings):
        answer.notes.append(
            f"no passage reached the relevance threshold (similarity {settings.retrieval.min_relevance}"
            f" or word coverage {settings.retrieval.min_term_coverage})"
        )
        yield answer.text
    else:
        generate_started = time.perf_counter()
        if hasattr(backend, "fit"):  # a model with a bounded context may take fewer passages
            passages = backend.fit(question, passages)
        answer.notes.extend(getattr(backend, "notes", []))
        pieces: list[str] = []
        try:
            for piece in backend.stream(question, passages):
                if not pieces:
                    timings["first_piece"] = time.perf_counter() - started
                pieces.append(piece)
                yield piece
        except LLMUnavailableError as error:
            timed_out = isinstance(error, GenerationTimeoutError)
            if not timed_out and (settings.answer.on_llm_error != "extractive" or backend.name == "extractive"):
                raise
            answer.notes.append(f"{error} Answered extractively instead.")
            backend = get_llm("extractive", settings)
            answer.llm = backend.name
            pieces = list(backend.stream(question, passages))
            yield "\n\n" + "".join(pieces)
        timings["generate"] = time.perf_counter() - generate_started
        check_started = time.perf_counter()
        checked = check_answer("".join(pieces), passages, engine.embedder,
                               settings.answer.support_threshold, generative=backend.generative)
        timings["check"] = time.perf_counter() - check_started
        answer.text, answer.citations, answer.refused = checked.text, checked.citations, checked.refused
        answer.notes.extend(checked.notes)
    timings["total"] = time.perf_counter() - started
    answer.timings = {key: round(value, 4) for key, value in timings.items()}
    yield answer


def ask(
    question: str,
    *,
    k: int = 5,
    llm: str | None = None,
    history: History | None = None,
    collections: list[str] | None = None,
    filters: SearchFilter | dict | None = None,
    settings: Settings | None = None,
) -> Answer:
    """Answer ``question`` from the corpus with ``[n]`` citations, or refuse.

    ``k`` passages are retrieved; ``llm`` names the backend (default: ``settings.llm``);
    ``history`` holds earlier turns so a follow-up question can lean on them;
    ``filters`` (or the ``collections`` shorthand) limits retrieval to matching papers.
    """
    final = None
    for item in stream_ask(question, k=k, llm=llm, history=history, collections=collections,
                           filters=filters, settings=settings):
        final = item
    assert isinstance(final, Answer)
    return final
