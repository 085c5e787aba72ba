"""The quality gate: ``evals/baseline.json`` holds the figures CI must not fall below, on the
dev half of our questions (the half we tune on; the test half is only reported)."""

from __future__ import annotations

import json
from pathlib import Path

BASELINE = Path("evals/baseline.json")
TOLERANCE = 0.02
GATED_RETRIEVAL = ("mrr@10", "recall@5")
GATED_ANSWERS = ("answer_accuracy", "refusal_accuracy")
GATED_SPLIT = "dev"


def write_baseline(result: dict, path: Path = BASELINE) -> None:
    """Record the gated figures of ``result`` (seeds, dev split, with answers)."""
    baseline = {
        "dataset": result["dataset"],
        "split": result["split"],
        "retrieval": {name: {m: result["retrieval"][name][m] for m in GATED_RETRIEVAL}
                      for name in ("bm25", "dense", "hybrid")},
        "answers": {k: result["answers"][k] for k in
                    ("llm", "answer_accuracy", "list_recall", "refusal_accuracy", "near_miss_refusal_accuracy",
                     "false_refusal_rate", "citation_precision", "citation_recall")},
    }
    path.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")


def regressions(result: dict, baseline: dict, tolerance: float = TOLERANCE) -> list[str]:
    """What fell below the baseline: hybrid MRR@10 or Recall@5 by more than ``tolerance``,
    answer accuracy or refusal accuracy at all, or false refusals rose by more than
    ``tolerance``. Empty: the gate passes."""
    problems = []
    for metric in GATED_RETRIEVAL:
        now, then = result["retrieval"]["hybrid"][metric], baseline["retrieval"]["hybrid"][metric]
        if now < then - tolerance:
            problems.append(f"hybrid {metric} fell from {then} to {now}")
    for metric in GATED_ANSWERS:
        now, then = result["answers"].get(metric), baseline["answers"].get(metric)
        if then is not None and (now is None or now < then):
            problems.append(f"{metric.replace('_', ' ')} fell from {then} to {now}")
    now, then = result["answers"].get("false_refusal_rate"), baseline["answers"].get("false_refusal_rate")
    if then is not None and now is not None and now > then + tolerance:
        problems.append(f"false refusals rose from {then} to {now}")
    return problems
