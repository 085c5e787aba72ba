"""How well each signal tells the papers that belong in a list answer from those that do not.

    python -m evals.list_signals --split dev [--papers 8] [--judge MODEL.gguf] [--json]

For every answerable list question of the labelled set, the ``--papers`` best papers of hybrid
retrieval are the candidates; each signal scores them, and its AUC for that question is the
chance that a gold candidate scores above a non-gold one (ties half). Printed: each signal's
mean AUC over the questions with both kinds of candidate, and the share of gold papers among
the candidates at all (the ceiling any choice among them has). Signals: hybrid rank; the
question's cosine similarity to the paper (the mean of its passage vectors, what
``list_members`` uses), to its best passage and to its best sentence; the IDF-weighted share of
the question's words the paper holds; with ``--judge``, a local GGUF instruction model's
"yes" minus "no" log-odds when asked whether the paper belongs in the answer (one prompt per
candidate, the question first so its tokens are evaluated once per question).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

JUDGE_SYSTEM = ("You check whether a research paper belongs in the answer to a question about a collection of "
                "paper abstracts. Judge only from the abstract. Reply with one word: yes or no.")


def auc(positive: list[float], negative: list[float]) -> float:
    """The chance that a positive scores above a negative (ties count half)."""
    pairs = [(p > n) + 0.5 * (p == n) for p in positive for n in negative]
    return float(np.mean(pairs))


class Judge:
    """A local instruction model's log-odds of "yes" over "no" for one candidate paper."""

    def __init__(self, path: Path) -> None:
        from rag.plugins.llamacpp.local_model import load_model
        from rag.settings import LlamaCppSettings

        self.model = load_model(path, LlamaCppSettings(model_path=path, n_ctx=2048))
        self.yes, self.no = self._tokens("yes", "Yes"), self._tokens("no", "No")

    def _tokens(self, *words: str) -> list[int]:
        found = {t[0] for w in words for form in (w, " " + w)
                 if len(t := self.model._model.tokenize(form, add_bos=False, special=False)) == 1}
        return sorted(found)

    def __call__(self, question: str, name: str, abstract: str) -> float:
        messages = [{"role": "system", "content": JUDGE_SYSTEM},
                    {"role": "user", "content": f"Question: {question}\n\nPaper: {name}\nAbstract: {abstract}\n\n"
                                                "Does this paper belong in the answer? yes or no"}]
        logits = self.model.next_token_logits(messages)
        return float(np.logaddexp.reduce(logits[self.yes]) - np.logaddexp.reduce(logits[self.no]))


def candidate_signals(engine, retriever, question: str, papers: int, judge: Judge | None) -> tuple[list[str], dict]:
    """The candidate papers of ``question``, best first, and each signal's scores for them."""
    from rag.corpus.text import sentences
    from rag.retrieval.evidence import weighted_coverage
    from rag.retrieval.questions import read_question

    passages = retriever.retrieve(question, 10 * papers)
    order = list(dict.fromkeys(p.doc_id for p in passages))[:papers]
    vector = engine.embedder.encode_one(question)
    paper_similarity = retriever.paper_similarity(question, order)
    terms = read_question(question).terms
    signals: dict[str, list[float]] = {name: [] for name in
                                       ("hybrid rank", "paper similarity", "best passage", "best sentence", "coverage")}
    if judge:
        signals["judge"] = []
    for rank, doc_id in enumerate(order):
        rows = list(engine.rows.of_paper(doc_id))
        abstract, first = engine.abstract(doc_id), engine.rows[rows[0]]
        signals["hybrid rank"].append(-rank)
        signals["paper similarity"].append(paper_similarity[doc_id])
        signals["best passage"].append(float((engine.embeddings_of(rows) @ vector).max()))
        signals["best sentence"].append(float((engine.embedder.encode(sentences(abstract)) @ vector).max()))
        signals["coverage"].append(weighted_coverage(terms, f"{first.title} {abstract}", engine.lexical))
        if judge:
            signals["judge"].append(judge(question, first.title or first.label, abstract))
    return order, signals


def study(split: str, papers: int, judge_path: Path | None) -> dict:
    from rag.evaluation.dataset import load_dataset
    from rag.index.engine import forget_engine, get_engine
    from rag.retrieval.hybrid import HybridRetriever
    from rag.settings import Settings

    dataset = load_dataset()
    judge = Judge(judge_path) if judge_path else None
    aucs: dict[str, list[float]] = {}
    gold_share, started = [], time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rag-list-signals-") as folder:
        settings = Settings(_env_file=None, corpus=dataset.corpus, index_dir=Path(folder))
        engine = get_engine(settings)
        retriever = HybridRetriever(engine)
        questions = [q for q in dataset.select(split) if q.type == "list" and q.answerable]
        for query in questions:
            order, signals = candidate_signals(engine, retriever, query.text, papers, judge)
            gold = [d in query.gold for d in order]
            gold_share.append(sum(gold) / len(query.gold))
            if all(gold) or not any(gold):
                continue
            for name, scores in signals.items():
                aucs.setdefault(name, []).append(auc([s for s, g in zip(scores, gold) if g],
                                                     [s for s, g in zip(scores, gold) if not g]))
        forget_engine(settings)
    return {"split": split, "list_questions": len(questions), "candidates_per_question": papers,
            "questions_with_both": len(next(iter(aucs.values()), [])),
            "gold_among_candidates": round(float(np.mean(gold_share)), 3),
            "mean_auc": {name: round(float(np.mean(values)), 3) for name, values in aucs.items()},
            "judge": str(judge_path) if judge_path else None, "seconds": round(time.perf_counter() - started)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("--papers", type=int, default=8, help="candidate papers per question")
    parser.add_argument("--judge", type=Path, help="a GGUF instruction model to ask about each candidate")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = study(args.split, args.papers, args.judge)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['list_questions']} list questions ({args.split}), {args.papers} candidates each; "
          f"gold papers among them: {result['gold_among_candidates']:.3f}")
    for name, value in sorted(result["mean_auc"].items(), key=lambda item: -item[1]):
        print(f"  {name:<17} mean AUC {value:.3f}")


if __name__ == "__main__":
    main()
