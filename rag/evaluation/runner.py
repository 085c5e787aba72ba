"""Run retrieval (every retriever side by side) and answers over a dataset's queries."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..answers.pipeline import FELL_BACK, ask, stream_ask
from ..index.engine import forget_engine, get_engine
from ..models import Answer
from ..retrieval.context import is_paper_name
from ..retrieval.conversation import standalone_query
from ..retrieval.hybrid import HybridRetriever
from ..settings import Settings
from .dataset import Dataset, EvalQuery
from .machine import describe_machine
from .metrics import mrr_at_k, ndcg_at_k, percentile, recall_at_k
from .scoring import score, summarise

RANKED_PASSAGES = 40  # passages fetched per query: enough for 10 distinct papers
Tick = Callable[[], None]


def _retrievers(settings: Settings) -> list[tuple[str, str, bool]]:
    """(name, mode, rerank) of every retriever to compare."""
    chosen = [("bm25", "bm25", False), ("dense", "dense", False), ("hybrid", "hybrid", False)]
    if settings.retrieval.reranker:
        chosen.append(("hybrid+rerank", "hybrid", True))
    return chosen


def _ms(seconds: list[float], q: float) -> float:
    return round(1000 * percentile(seconds, q), 1)


def evaluate_retrieval(retriever: HybridRetriever, queries: list[EvalQuery], tick: Tick) -> dict:
    """Recall@1/5/10, MRR@10, nDCG@10 and latency per retriever, on the answerable queries."""
    results = {}
    answerable = [q for q in queries if q.answerable]
    for name, mode, rerank in _retrievers(retriever.engine.settings):
        sums = dict.fromkeys(("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"), 0.0)
        latencies = []
        for query in answerable:
            retriever.engine.embedder.clear_cache()  # each retriever pays for its own query embedding
            started = time.perf_counter()
            searched = standalone_query(query.text, [{"role": "user", "content": t} for t in query.history],
                                        lambda name: is_paper_name(retriever, name))
            passages = retriever.retrieve(searched, RANKED_PASSAGES, mode, rerank)  # type: ignore[arg-type]
            latencies.append(time.perf_counter() - started)
            ranked = list(dict.fromkeys(p.doc_id for p in passages))
            for k in (1, 5, 10):
                sums[f"recall@{k}"] += recall_at_k(ranked, query.gold, k)
            sums["mrr@10"] += mrr_at_k(ranked, query.gold, 10)
            sums["ndcg@10"] += ndcg_at_k(ranked, query.gold, 10)
            tick()
        n = max(1, len(answerable))
        results[name] = {key: round(value / n, 4) for key, value in sums.items()}
        results[name].update(latency_ms_p50=_ms(latencies, 0.5), latency_ms_p95=_ms(latencies, 0.95))
    return results


def _conversation(query: EvalQuery, name: str, settings: Settings) -> list[dict]:
    """The chat history a follow-up is asked in: its earlier questions, each answered by the
    backend in turn (untimed), as the chat page would have them."""
    history: list[dict] = []
    for earlier in query.history:
        answer = ask(earlier, k=5, llm=name, history=history, settings=settings)
        history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": answer.text}]
    return history


def _timed_ask(question: str, name: str, settings: Settings,
               history: list[dict] | None = None) -> tuple[Answer, float, float, float]:
    """The answer, the seconds to the first thing a reader sees (progress or text), to its first
    streamed piece of text, and to the whole answer."""
    started = time.perf_counter()
    shown = first = None
    for item in stream_ask(question, k=5, llm=name, history=history, settings=settings, progress=True):
        if shown is None:
            shown = time.perf_counter() - started
        if first is None and isinstance(item, (str, Answer)):
            first = time.perf_counter() - started
        answer = item
    return answer, shown, first, time.perf_counter() - started


def evaluate_answers(settings: Settings, queries: list[EvalQuery], llm: str | None, tick: Tick) -> dict:
    """Answer accuracy, list recall, citation precision and recall, refusal accuracy (near
    misses apart), false refusals (see :mod:`.scoring`), overall and per question type;
    latency to the first streamed piece and to the whole answer, and how often a generative
    backend fell back (not counting the kinds it leaves to the extractive composer on purpose,
    ``answer.extractive_kinds``); ``written_*``: the latencies of the answers the backend itself
    wrote (a model's speed, without refusals and handed-on answers). ``per_question`` lists each
    answer for inspection."""
    rows, latencies, firsts, seen, shown = [], [], [], [], []
    written_firsts, written = [], []  # answers the backend itself wrote (not refused, not handed on)
    fallbacks = 0
    name = llm or settings.llm
    embedder = get_engine(settings).embedder
    for query in queries:
        history = _conversation(query, name, settings)
        embedder.clear_cache()  # a fresh question: nothing remembered from the retrieval runs
        answer, seen_after, first, total = _timed_ask(query.text, name, settings, history)
        seen.append(seen_after)
        firsts.append(first)
        latencies.append(total)
        fallbacks += answer.llm != name and any(note.endswith(FELL_BACK) for note in answer.notes)
        if answer.llm == name and not answer.refused:
            written_firsts.append(first)
            written.append(total)
        row = score(query, answer)
        rows.append(row)
        shown.append({"id": query.id, "question": query.text, **({"history": query.history} if query.history else {}),
                      "type": query.type, "refused": answer.refused,
                      "text": answer.text, "cited": [c.doc_id for c in answer.citations], "gold": sorted(query.gold),
                      "llm": answer.llm, "first_piece_ms": round(first * 1000, 1), "latency_ms": round(total * 1000, 1),
                      **{k: row[k] for k in ("correct", "list_recall") if k in row}})
        tick()
    overall, by_type = summarise(rows)
    return {
        "llm": name,
        "answerable": sum(q.answerable for q in queries),
        "unanswerable": sum(not q.answerable for q in queries),
        **overall,
        "first_shown_ms_p50": _ms(seen, 0.5),
        "first_piece_ms_p50": _ms(firsts, 0.5),
        "latency_ms_p50": _ms(latencies, 0.5),
        "latency_ms_p95": _ms(latencies, 0.95),
        "fallbacks": fallbacks,
        "written": len(written),
        "written_first_piece_ms_p50": _ms(written_firsts, 0.5),
        "written_latency_ms_p50": _ms(written, 0.5),
        "written_latency_ms_p95": _ms(written, 0.95),
        "by_type": by_type,
        "per_question": shown,
    }


def evaluate(
    dataset: Dataset,
    settings: Settings | None = None,
    split: str = "test",
    answers: bool = True,
    llm: str | list[str] | None = None,
    limit: int | None = None,
    progress: Callable[[int], Tick] | None = None,
) -> dict:
    """Evaluate ``dataset`` (its ``split`` queries, at most ``limit``) in a temporary index
    built from its corpus; the configured index is never touched. ``llm`` may name several
    backends: their answers are measured side by side (``result["answers"]`` is the first's,
    ``result["answer_backends"]`` all of them)."""
    names = [llm] if isinstance(llm, str) or llm is None else list(llm)
    settings = settings or Settings()
    queries = dataset.select(split)[:limit] if limit else dataset.select(split)
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as folder:
        local = settings.model_copy(update={
            "corpus": dataset.corpus, "index_dir": Path(folder), "chroma_url": None, "auto_build": True,
        })
        started = time.perf_counter()
        engine = get_engine(local)
        build_seconds = time.perf_counter() - started
        answerable = sum(q.answerable for q in queries)
        steps = answerable * len(_retrievers(local)) + (len(queries) * len(names) if answers else 0)
        tick = progress(steps) if progress else (lambda: None)
        try:
            result = {
                "dataset": dataset.name,
                "dataset_path": str(dataset.path),
                "split": split,
                "queries": len(queries),
                "papers": engine.manifest["papers"],
                "passages": engine.manifest["passage_count"],
                "index_build_s": round(build_seconds, 2),
                "retrieval": evaluate_retrieval(HybridRetriever(engine), queries, tick),
            }
            if answers:
                result["answer_backends"] = [evaluate_answers(local, queries, name, tick) for name in names]
                result["answers"] = result["answer_backends"][0]
        finally:
            forget_engine(local)
    result["settings"] = settings.model_dump(mode="json", exclude={"openai": {"api_key"}})
    result["machine"] = describe_machine()
    return result
