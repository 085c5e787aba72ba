"""The quality gate: ``evals/baseline.json`` holds the figures CI must not fall below."""

from __future__ import annotations

import json
from pathlib import Path

BASELINE = Path("evals/baseline.json")
TOLERANCE = 0.02
GATED_RETRIEVAL = ("mrr@10", "recall@5")


def write_baseline(result: dict, path: Path = BASELINE) -> None:
    """Record the gated figures of ``result`` (seeds, test split, with answers)."""
    baseline = {
        "dataset": result["dataset"],
        "split": result["split"],
        "retrieval": {name: {m: result["retrieval"][name][m] for m in GATED_RETRIEVAL}
                      for name in ("bm25", "dense", "hybrid")},
        "answers": {k: result["answers"][k] for k in
                    ("llm", "refusal_accuracy", "false_refusal_rate", "citation_precision", "citation_recall")},
    }
    path.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")


def regressions(result: dict, baseline: dict, tolerance: float = TOLERANCE) -> list[str]:
    """What fell below the baseline: hybrid MRR@10 or Recall@5 by more than ``tolerance``,
    or refusal accuracy at all. Empty: the gate passes."""
    problems = []
    for metric in GATED_RETRIEVAL:
        now, then = result["retrieval"]["hybrid"][metric], baseline["retrieval"]["hybrid"][metric]
        if now < then - tolerance:
            problems.append(f"hybrid {metric} fell from {then} to {now}")
    now, then = result["answers"]["refusal_accuracy"], baseline["answers"]["refusal_accuracy"]
    if now < then:
        problems.append(f"refusal accuracy fell from {then} to {now}")
    return problems
