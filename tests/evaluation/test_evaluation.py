import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.evaluation import (
    evaluate,
    load_dataset,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
)
from rag.evaluation.baseline import regressions
from rag.evaluation.dataset import write_beir_corpus

from ..conftest import ROOT, SEEDS, make_settings

DATA = ROOT / "evals" / "data"
CHINCHILLA_Q = "What did the Chinchilla paper find about compute-optimal training?"


def test_metrics_follow_their_definitions():
    ranked = ["a", "b", "c", "d"]
    assert recall_at_k(ranked, {"b", "z"}, 1) == 0.0
    assert recall_at_k(ranked, {"b", "z"}, 5) == 0.5
    assert mrr_at_k(ranked, {"c"}) == pytest.approx(1 / 3)
    assert mrr_at_k(ranked, {"c"}, k=2) == 0.0
    assert ndcg_at_k(["a", "b"], {"a", "b"}) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "a"], {"a"}) == pytest.approx(1 / 1.5849625, rel=1e-6)
    assert percentile([5, 1, 3, 2, 4], 0.5) == 3 and percentile([1, 2], 0.95) == 2


def test_an_expected_answer_is_stated_whatever_the_case_latex_or_serial_comma():
    from rag.evaluation.scoring import states_answer

    expected = ["TensorFlow, PyTorch and JAX"]
    assert states_answer("It names tensorflow, PyTorch, and JAX [1].", expected)
    assert not states_answer("It names TensorFlow, PyTorch [1].", expected)
    assert states_answer("A 4$\\times$ speed-up", ["4× speed-up"]) and not states_answer("4 speed-up", ["4× speed-up"])


def test_labelled_set_is_complete_and_consistent(papers):
    from rag.evaluation.scoring import states_answer

    dataset = load_dataset(DATA, corpus=SEEDS)
    abstracts = {p.id: p.abstract for p in papers}
    queries = dataset.queries
    assert len(queries) >= 200
    unanswerable = [q for q in queries if not q.answerable]
    assert len(unanswerable) >= 60 and all(not q.gold for q in unanswerable)
    near = [q for q in unanswerable if q.near_miss in ("attribute", "entity", "claim")]
    assert len(near) >= 40 and {q.near_miss for q in near} == {"attribute", "entity", "claim"}
    assert all(q.gold and q.gold <= set(abstracts) for q in queries if q.answerable)
    assert sum(q.type == "list" for q in queries) >= 30 and sum(q.type == "comparison" for q in queries) >= 15
    for query in queries:  # every expected string is stated by one of its gold papers
        if query.answers:
            assert any(states_answer(abstracts[d], query.answers) for d in query.gold), query.id
    assert len({q.text.casefold() for q in queries}) == len(queries)
    for split in ("dev", "test"):
        chosen = dataset.select(split)
        assert len(chosen) >= 100 and sum(not q.answerable for q in chosen) >= 30


def test_beir_corpus_file_is_in_sync_with_the_seeds(tmp_path):
    fresh = tmp_path / "corpus.jsonl"
    write_beir_corpus(SEEDS, fresh)
    assert fresh.read_text() == (DATA / "corpus.jsonl").read_text(), \
        "evals/data/corpus.jsonl is stale: run 'rag eval --write-corpus'"


def test_quality_gate_on_the_dev_half(settings):
    baseline = json.loads((ROOT / "evals" / "baseline.json").read_text())
    assert baseline["split"] == "dev"  # gate on the half we tune on; the test half is only reported
    result = evaluate(load_dataset(DATA, corpus=SEEDS), settings, split="dev")
    assert regressions(result, baseline) == []
    hybrid, bm25, dense = (result["retrieval"][n] for n in ("hybrid", "bm25", "dense"))
    assert hybrid["mrr@10"] > max(bm25["mrr@10"], dense["mrr@10"])
    assert hybrid["recall@5"] >= max(bm25["recall@5"], dense["recall@5"])


def test_answer_backends_are_measured_side_by_side(settings):
    result = evaluate(load_dataset(DATA, corpus=SEEDS), settings, split="dev", llm=["extractive", "fake"], limit=8)
    extractive, fake = result["answer_backends"]
    assert result["answers"] is extractive and (extractive["llm"], fake["llm"]) == ("extractive", "fake")
    for answers in (extractive, fake):
        assert answers["answerable"] + answers["unanswerable"] == 8
        assert 0 < answers["first_shown_ms_p50"] <= answers["first_piece_ms_p50"] <= answers["latency_ms_p95"]
        assert answers["fallbacks"] == 0
        mine = [q for q in answers["per_question"] if q["llm"] == answers["llm"] and not q["refused"]]
        assert answers["written"] == len(mine) > 0  # the backend's own answers: its speed alone
        assert answers["written_first_piece_ms_p50"] <= answers["written_latency_ms_p95"]
        assert all(0 < q["first_piece_ms"] <= q["latency_ms"] for q in answers["per_question"])
    # the fake model copies source sentences but also cites a passage that does not exist
    assert fake["citation_precision"] is not None and fake["citation_recall"] > 0


def test_a_follow_up_is_asked_after_its_earlier_questions_are_answered(settings, chinchilla):
    from dataclasses import replace

    from rag.evaluation.dataset import EvalQuery

    follow_up = EvalQuery("f1", "And how many parameters does it have?", {chinchilla.id}, "test", "number",
                          answers=["70B parameters"], history=[CHINCHILLA_Q])
    dataset = replace(load_dataset(DATA, corpus=SEEDS), queries=[follow_up, replace(follow_up, id="f2", history=[])])
    result = evaluate(dataset, settings, split="test")
    with_history, alone = result["answers"]["per_question"]
    assert with_history["history"] == [CHINCHILLA_Q] and "history" not in alone
    assert with_history["correct"] and chinchilla.id in with_history["cited"]
    assert not alone.get("correct")  # the same words alone are about no paper in particular
    assert result["retrieval"]["hybrid"]["recall@1"] == 0.5  # searched with its history, then without


def test_gate_catches_a_drop():
    baseline = {"retrieval": {"hybrid": {"mrr@10": 0.9, "recall@5": 0.9}},
                "answers": {"refusal_accuracy": 0.6, "answer_accuracy": 0.8}}
    worse = {"retrieval": {"hybrid": {"mrr@10": 0.87, "recall@5": 0.89}},
             "answers": {"refusal_accuracy": 0.5, "answer_accuracy": 0.79}}
    problems = regressions(worse, baseline)
    assert problems == ["hybrid mrr@10 fell from 0.9 to 0.87", "answer accuracy fell from 0.8 to 0.79",
                        "refusal accuracy fell from 0.6 to 0.5"]
    assert regressions(baseline, baseline) == []


FOLDOC = Path("/usr/share/dictd/foldoc.dict.dz")


@pytest.mark.skipif(not FOLDOC.exists() and not os.environ.get("CI"), reason="apt-get install dict-foldoc")
def test_hybrid_beats_each_retriever_on_a_collection_we_did_not_write(tmp_path):
    from evals.foldoc import build

    dataset = load_dataset(build(tmp_path / "foldoc", documents=600, queries=120))
    result = evaluate(dataset, make_settings(), answers=False)
    hybrid, bm25, dense = (result["retrieval"][n] for n in ("hybrid", "bm25", "dense"))
    for metric in ("mrr@10", "recall@5"):
        assert hybrid[metric] > max(bm25[metric], dense[metric]), result["retrieval"]


def test_eval_command_on_any_beir_dataset(tmp_path, papers):
    folder = tmp_path / "tiny"
    (folder / "qrels").mkdir(parents=True)
    chosen = papers[:6]
    (folder / "corpus.jsonl").write_text("".join(
        json.dumps({"_id": f"doc{i}", "title": p.title, "text": p.abstract}) + "\n" for i, p in enumerate(chosen)))
    (folder / "queries.jsonl").write_text("".join(
        json.dumps({"_id": f"q{i}", "text": p.abstract.split(". ")[1]}) + "\n" for i, p in enumerate(chosen)))
    (folder / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"q{i}\tdoc{i}\t1\n" for i in range(len(chosen))))
    report = tmp_path / "out" / "report.md"
    index_dir = tmp_path / "index-must-stay-empty"
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir)}
    tracked = {p: p.read_bytes() for p in (ROOT / "evals" / "report.md", ROOT / "evals" / "report.png")}
    result = subprocess.run([sys.executable, "-m", "evals", "--dataset", str(folder), "--json",
                             "--out", str(report.parent)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    output = json.loads(result.stdout)
    assert set(output["retrieval"]) == {"bm25", "dense", "hybrid"}
    assert output["retrieval"]["hybrid"]["recall@5"] == 1.0
    assert set(output["retrieval"]["hybrid"]) >= {"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10",
                                                  "latency_ms_p50", "latency_ms_p95"}
    assert "answers" not in output and output["queries"] == 6
    assert "| hybrid |" in report.read_text() and report.with_suffix(".png").stat().st_size > 10_000
    assert not index_dir.exists()  # the configured index is never touched
    assert json.loads((report.parent / "results.json").read_text())["queries"] == 6
    assert all(path.read_bytes() == before for path, before in tracked.items())  # the committed report unchanged


def test_the_list_signal_study_scores_each_signal_on_the_list_questions():
    from evals.list_signals import auc, study

    assert auc([2.0], [1.0]) == 1.0 and auc([1.0], [2.0]) == 0.0 and auc([1.0], [1.0]) == 0.5
    result = study("dev", papers=4, judge_path=None)
    assert result["list_questions"] >= 30 and 0 < result["questions_with_both"] <= result["list_questions"]
    assert set(result["mean_auc"]) == {"hybrid rank", "paper similarity", "best passage", "best sentence", "coverage"}
    assert all(0.0 <= value <= 1.0 for value in result["mean_auc"].values())
    assert 0.5 < result["gold_among_candidates"] <= 1.0
