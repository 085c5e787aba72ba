import json
from collections import defaultdict

import pytest

from rag import RagRetriever, search
from rag.errors import QuestionError
from rag.retrieval.hybrid import HybridRetriever

from ..conftest import ROOT

CHINCHILLA_Q = "What did the Chinchilla paper find about compute-optimal training?"


def test_chinchilla_question_ranks_the_chinchilla_abstract_first(settings, engine, chinchilla):
    passages = search(CHINCHILLA_Q, k=5, settings=settings)
    assert passages[0].doc_id == chinchilla.id
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    for p in passages:
        assert engine.abstract(p.doc_id)[p.start:p.end] == p.text


def test_no_paper_fills_more_than_its_share_of_slots(settings):
    passages = search("scaling laws for language models", k=10, settings=settings)
    counts = defaultdict(int)
    for p in passages:
        counts[p.doc_id] += 1
    assert max(counts.values()) <= settings.retrieval.max_passages_per_paper
    assert len(counts) >= 5


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_each_mode_finds_the_evolution_strategies_papers(settings, papers, mode):
    unrolled = next(p for p in papers if p.abstract.startswith("Unrolled computation graphs"))
    passages = search("evolution strategies for unrolled computation graphs", k=3, mode=mode, settings=settings)
    assert passages[0].doc_id == unrolled.id


def test_unknown_mode_and_bad_k_are_clear_errors(settings):
    with pytest.raises(QuestionError, match="hybrid, dense, bm25"):
        search("x", mode="fuzzy", settings=settings)
    for bad in (0, -1, 51, "3", 2.5, True):
        with pytest.raises(QuestionError, match="k must be"):
            search("x", k=bad, settings=settings)


def test_reranker_hook_reorders_candidates(engine):
    def prefer_short(query, texts):
        return [-len(t) for t in texts]

    passages = HybridRetriever(engine, reranker=prefer_short).retrieve(CHINCHILLA_Q, 5)
    assert [len(p.text) for p in passages] == sorted(len(p.text) for p in passages)


def test_langchain_retriever_returns_documents_with_passage_metadata(settings, chinchilla):
    documents = RagRetriever(k=3, settings=settings).invoke(CHINCHILLA_Q)
    assert len(documents) == 3
    assert documents[0].metadata["doc_id"] == chinchilla.id
    assert chinchilla.abstract[documents[0].metadata["start"]:documents[0].metadata["end"]] == documents[0].page_content


def _mean_reciprocal_rank(retriever, mode):
    queries = [json.loads(line) for line in (ROOT / "evals/data/queries.jsonl").read_text().splitlines()]
    gold = defaultdict(set)
    for line in (ROOT / "evals/data/qrels/test.tsv").read_text().splitlines()[1:]:
        query_id, doc_id, _ = line.split("\t")
        gold[query_id].add(doc_id)
    total = 0.0
    answerable = [q for q in queries if gold[q["_id"]]]
    for query in answerable:
        docs = list(dict.fromkeys(p.doc_id for p in retriever.retrieve(query["text"], 20, mode)))[:10]
        total += next((1 / (i + 1) for i, d in enumerate(docs) if d in gold[query["_id"]]), 0.0)
    return total / len(answerable)


def test_hybrid_ranks_better_than_bm25_or_dense_alone(engine):
    retriever = HybridRetriever(engine)
    mrr = {mode: _mean_reciprocal_rank(retriever, mode) for mode in ("bm25", "dense", "hybrid")}
    assert mrr["hybrid"] > mrr["bm25"] and mrr["hybrid"] > mrr["dense"], mrr


def test_configured_cross_encoder_reranks_and_gets_its_own_eval_row(tmp_path, papers, index_dir, engine):
    """A real sentence-transformers CrossEncoder, loaded offline. No trained cross-encoder ships
    in a package, so this one is MiniLM with an untrained head: it proves the wiring, not quality."""
    from rag.evaluation import evaluate
    from rag.evaluation.dataset import Dataset, EvalQuery
    from rag.index.embeddings import default_model_path
    from rag.index.engine import get_engine
    from rag.settings import RetrievalSettings

    from ..conftest import SEEDS, make_settings

    settings = make_settings(corpus=SEEDS, index_dir=index_dir,
                             retrieval=RetrievalSettings(reranker=default_model_path()))
    retriever = HybridRetriever(get_engine(settings))
    reranked = retriever.retrieve(CHINCHILLA_Q, 5)
    fused = retriever.retrieve(CHINCHILLA_Q, 5, rerank=False)
    assert all(0 < p.score < 1 for p in reranked)  # cross-encoder probabilities
    assert all(p.score < 0.05 for p in fused)       # reciprocal-rank scores
    queries = [EvalQuery("q1", CHINCHILLA_Q, {papers[0].id})]
    result = evaluate(Dataset("tiny", tmp_path, SEEDS, queries), settings, answers=False)
    assert list(result["retrieval"]) == ["bm25", "dense", "hybrid", "hybrid+rerank"]
