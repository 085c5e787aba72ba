"""``ask``, ``stream_ask`` and ``search``: the public entry points of the pipeline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

from ..corpus.names import unknown_terms
from ..corpus.text import has_lone_surrogate, strip_invisible
from ..errors import GenerationTimeoutError, LLMUnavailableError, QuestionError
from ..index.engine import build_replaced, forget_engine, get_engine
from ..index.store import reaching_the_server
from ..models import Answer, Passage, Progress
from ..retrieval.context import (
    answer_passages,
    is_paper_name,
)
from ..retrieval.conversation import History, is_joined, leaned_on, standalone_query
from ..retrieval.evidence import unstated
from ..retrieval.filters import SearchFilter, make_filter
from ..retrieval.hybrid import HybridRetriever, Mode
from ..retrieval.questions import (
    is_question,
    read_question,
)
from ..retrieval.topic import absent_topic_words
from ..settings import Settings
from .backends import get_llm
from .citations import check_answer, why_unusable
from .prompts import CANNOT_ANSWER
from .scope import closest_papers, in_scope

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


def _first_papers(passages: list[Passage], count: int) -> list[Passage]:
    """The passages of the first ``count`` distinct papers."""
    papers = list(dict.fromkeys(p.doc_id for p in passages))[:count]
    return [p for p in passages if p.doc_id in papers]


def _retrieve(settings: Settings, query: str, k: int, mode: Mode, filters, collections, list_of_papers: bool = False):
    """The engine and the passages for ``query`` (for a list question, those of ``2k`` papers:
    the first ``k * max_passages_per_paper`` are what a ``k``-paper retrieval gives). If another
    process swapped in a new build between two index checks (the old collections are gone), the
    engine is loaded again once."""
    for attempt in (1, 2):
        engine = get_engine(settings)
        flt = make_filter(filters, collections, engine.collections)
        try:
            if list_of_papers:  # twice as many papers: a list of literal mentions may reach further
                return engine, HybridRetriever(engine).retrieve(query, 2 * k * settings.retrieval.max_passages_per_paper,
                                                                mode, flt=flt)
            return engine, HybridRetriever(engine).retrieve(query, k, mode, flt=flt)
        except Exception as error:  # noqa: BLE001 - chromadb's errors, by name (see _build_gone)
            if attempt == 2 or not _build_gone(error, settings):
                raise
            forget_engine(settings)
    raise AssertionError("unreachable")


def _build_gone(error: BaseException, settings: Settings) -> bool:
    """Whether ``error`` came from a build that was replaced and its collections dropped:
    chromadb's NotFoundError (by name), or another of its errors (a Chroma server dropping a
    collection under a read answers "Missing metadata segment") while the live manifest names
    another build."""
    if type(error).__name__ == "NotFoundError":
        return True
    return type(error).__module__.startswith("chromadb") and build_replaced(settings)


def search(question: str, *, k: int = 10, mode: Mode = "hybrid", collections: list[str] | None = None,
           filters: SearchFilter | dict | None = None, settings: Settings | None = None) -> list[Passage]:
    """The ``k`` passages most relevant to ``question``, best first; only from papers passing
    ``filters`` (collections, categories, authors, year_from, year_to) when given;
    ``collections`` is a shorthand for ``filters={"collections": [...]}``."""
    settings = settings or Settings()
    question = validate_question(question, settings)
    k = validate_k(k)
    with reaching_the_server(settings):
        engine, passages = _retrieve(settings, question, k, mode, filters, collections)
    return passages


FELL_BACK = "Answered extractively instead."


def _fall_back(question: str, passages: list[Passage], settings: Settings, answer: Answer, why: str) -> str:
    """The extractive answer, for when a generative backend gives none that passes."""
    answer.notes.append(f"{why} {FELL_BACK}")
    answer.llm = "extractive"
    return "".join(get_llm("extractive", settings).stream(question, passages))


def _write(backend, question: str, passages: list[Passage], engine, settings: Settings, answer: Answer,
           timings: dict, started: float) -> Iterator[str]:
    """Have ``backend`` write the answer from ``passages`` (streamed), check it, and fill
    ``answer``. A generative answer of which nothing passes the checks (or that refuses although
    the passages were found relevant) gives way to the extractive answer, with a note."""
    generate_started = time.perf_counter()
    given = backend.fit(question, passages) if hasattr(backend, "fit") else passages  # a bounded context
    answer.notes.extend(getattr(backend, "notes", []))
    pieces: list[str] = []
    try:
        for piece in backend.stream(question, given):
            if not pieces:
                timings["first_piece"] = time.perf_counter() - started
            pieces.append(piece)
            yield piece
    except LLMUnavailableError as error:
        timed_out = isinstance(error, GenerationTimeoutError)
        if not timed_out and (settings.answer.on_llm_error != "extractive" or backend.name == "extractive"):
            raise
        pieces, given = [_fall_back(question, passages, settings, answer, str(error))], passages
        yield "\n\n" + pieces[0]
    timings["generate"] = time.perf_counter() - generate_started
    check_started = time.perf_counter()
    generative = backend.generative and answer.llm == backend.name
    checked = check_answer("".join(pieces), given, engine.embedder, settings.answer.support_threshold,
                           generative=generative)
    why = why_unusable(question, checked, settings.answer.min_new_words) if generative else None
    if why:
        answer.notes.extend(checked.notes)
        text = _fall_back(question, passages, settings, answer, f"The '{backend.name}' answer {why}.")
        yield "\n\n" + text
        checked = check_answer(text, passages, engine.embedder, settings.answer.support_threshold, generative=False)
    timings["check"] = time.perf_counter() - check_started
    answer.text, answer.citations, answer.refused = checked.text, checked.citations, checked.refused
    answer.notes.extend(checked.notes)


def stream_ask(
    question: str,
    *,
    k: int = 5,
    llm: str | None = None,
    history: History | None = None,
    collections: list[str] | None = None,
    filters: SearchFilter | dict | None = None,
    settings: Settings | None = None,
    progress: bool = False,
) -> Iterator[str | Progress | Answer]:
    """Like :func:`ask`, but yields the answer text in pieces as it is produced, then the
    final, checked :class:`Answer` (whose text may differ: unsupported parts removed). With
    ``progress``, a :class:`~rag.models.Progress` first says which papers are being read (a
    local model may take seconds before its first word)."""
    settings = settings or Settings()
    for attempt in (1, 2):
        wrote = False
        try:
            with reaching_the_server(settings):
                for item in _stream_ask(question, k, llm, history, collections, filters, settings, progress):
                    wrote = wrote or isinstance(item, str)
                    yield item
            return
        except Exception as error:  # noqa: BLE001 - a new build went live mid-answer
            if attempt == 2 or wrote or not _build_gone(error, settings):
                raise
            forget_engine(settings)  # its collections are gone: answer again from the new build


def _stream_ask(question, k, llm, history, collections, filters, settings: Settings,
                progress: bool) -> Iterator[str | Progress | Answer]:
    started = time.perf_counter()
    question = validate_question(question, settings)
    k = validate_k(k)
    name = llm or settings.llm
    backend = get_llm(name, settings)
    query = standalone_query(question, history, lambda label: is_paper_name(HybridRetriever(get_engine(settings)), label))
    rewrites = query != question and hasattr(backend, "condense")
    if rewrites and progress:
        yield Progress(stage="rewriting", message=f"Making the follow-up standalone with '{name}' ...")
    rewritten = rewrites and backend.condense(leaned_on(question, history), question)
    if rewritten:  # a generative backend made the follow-up standalone; the joined question is the fallback
        query = rewritten
    asked = rewritten or (question if is_joined(query, question) else query)  # "it" replaced by the paper's name
    current = read_question(asked)  # a follow-up joined to what it leans on asks what its own words ask
    read = replace(read_question(query), kind=current.kind, asked=current.asked)
    engine, passages = _retrieve(settings, query, k, "hybrid", filters, collections, list_of_papers=read.kind == "list")
    wider = passages
    if read.kind == "list":
        passages = _first_papers(passages[: k * settings.retrieval.max_passages_per_paper], k)
    timings = {"retrieve": time.perf_counter() - started}
    answer = Answer(question=question, text=CANNOT_ANSWER, refused=True, llm=backend.name,
                    query=query, closest=passages)
    unknown = unknown_terms(question, engine.vocabulary) if settings.retrieval.refuse_unknown_names else []
    if read.kind == "list" and not unknown:  # "Which papers use diffusion models?": no abstract says "diffusion"
        unknown = absent_topic_words(question, engine.lexical, engine.embedder,
                                     settings.retrieval.absent_topic_similarity)
    relevant = not unknown and in_scope(engine, read, passages, settings)
    why = unstated(read, passages, engine.lexical, settings.retrieval, engine.abstract,
                   engine.embedder) if relevant else None
    if unknown or not relevant or why:
        answer.closest = closest_papers(passages)
    if unknown:
        answer.notes.append(f"the corpus never mentions {', '.join(unknown)}")
        yield answer.text
    elif not relevant:
        answer.notes.append(
            f"no passage reached the relevance threshold (similarity {settings.retrieval.relevance_threshold(read.kind)}"
            f" or word coverage {settings.retrieval.min_term_coverage})"
        )
        yield answer.text
    elif why:
        answer.text = f"{CANNOT_ANSWER} {why}"
        answer.notes.append(why)
        yield answer.text
    else:
        passages = answer_passages(engine, read, query, passages, wider)
        if progress:
            yield Progress(stage="reading", passages=passages,
                           message=f"Reading {len({p.doc_id for p in passages})} papers: "
                                   + ", ".join(dict.fromkeys(p.label or p.title for p in passages)))
        writer = backend
        kind = read.kind if is_question(asked) or read.kind == "summary" else "keywords"  # "Summarize X." asks
        if backend.generative and kind in settings.answer.extractive_kinds:
            writer = get_llm("extractive", settings)  # composes these better than a generative model
            answer.llm = writer.name
            what = "keyword query" if kind == "keywords" else f"{kind} question"
            answer.notes.append(f"A {what}: answered extractively (answer.extractive_kinds).")
        yield from _write(writer, asked, passages, engine, settings, answer, timings, started)
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
