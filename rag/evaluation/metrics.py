"""Ranking metrics over paper ids (BEIR's definitions, binary relevance)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def recall_at_k(ranked: Sequence[str], gold: set[str], k: int) -> float:
    """Share of the gold papers found in the first ``k`` results."""
    return len(gold & set(ranked[:k])) / len(gold) if gold else 0.0


def mrr_at_k(ranked: Sequence[str], gold: set[str], k: int = 10) -> float:
    """Reciprocal rank of the first gold paper within the first ``k`` results (0 if none)."""
    return next((1.0 / rank for rank, doc in enumerate(ranked[:k], start=1) if doc in gold), 0.0)


def ndcg_at_k(ranked: Sequence[str], gold: set[str], k: int = 10) -> float:
    """Normalised discounted cumulative gain at ``k`` with binary gains."""
    dcg = sum(1.0 / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], start=1) if doc in gold)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold), k) + 1))
    return dcg / ideal if ideal else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) by the nearest-rank method; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]
