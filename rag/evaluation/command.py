"""The ``rag eval`` command (the CLI's parser is in :mod:`rag.interfaces.cli`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import QuestionError
from ..settings import Settings
from .baseline import BASELINE, GATED_SPLIT, write_baseline
from .dataset import DEFAULT_DATASET, load_dataset, write_beir_corpus
from .report import answers_table, retrieval_table, write_report
from .runner import evaluate

COMMITTED_REPORT = Path("evals/report.md")


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    """``rag eval``: evaluate the datasets of ``args``, print tables, write the report."""
    from tqdm import tqdm

    if args.write_corpus:
        count = write_beir_corpus(settings.corpus, DEFAULT_DATASET / "corpus.jsonl")
        print(f"Wrote {count} papers from {settings.corpus} to {DEFAULT_DATASET / 'corpus.jsonl'}.")
        return 0
    results = []
    for folder in args.dataset or ["seeds"]:
        # our own questions are asked of the seed files themselves; others of their corpus.jsonl
        ours = folder == "seeds"
        dataset = load_dataset(DEFAULT_DATASET, corpus=settings.corpus) if ours else load_dataset(folder)
        answers = args.answers if args.answers is not None else ours

        def progress(total: int, name: str = dataset.name):
            bar = tqdm(total=total, desc=f"Evaluating {name}", unit="step", file=sys.stderr)
            return lambda: bar.update(1) and None

        results.append(evaluate(dataset, settings, split=args.split, answers=answers, llm=args.llm,
                                limit=args.limit, progress=progress))
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results, indent=2))
    else:
        for result in results:
            print(f"\n{result['dataset']} ({result['split']} split, {result['queries']} queries)")
            print(retrieval_table(result))
            if "answers" in result:
                print(answers_table(result))
    if args.update_baseline:
        ours = next((r for r in results if r["dataset"] == "seeds" and "answers" in r), None)
        if ours is None or args.split != GATED_SPLIT:
            raise QuestionError(f"--update-baseline needs the seeds dataset, its {GATED_SPLIT} split "
                                f"(--split {GATED_SPLIT}) and answers.")
        write_baseline(ours, BASELINE)
        print(f"Baseline updated: {BASELINE}", file=sys.stderr)
    targets = [Path(args.out) / "report.md"] + ([COMMITTED_REPORT] if args.update_report else [])
    for target in targets:
        report, png = write_report(results, target)
        print(f"Report: {report}" + (f", chart: {png}" if png else " (chart skipped: pip install 'rag[eval]')"),
              file=sys.stderr)
    (Path(args.out) / "results.json").write_text(
        json.dumps(results[0] if len(results) == 1 else results, indent=2) + "\n", encoding="utf-8")
    return 0
