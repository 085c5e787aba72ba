"""Draw BENCHMARKS.png from bench/results.json (written by hand from the bench runs' output):
indexing speed, time to a first answer and memory against corpus size (``scale_by_size``: one
session's rows), and the embedding backends.

    python -m bench.chart [--out BENCHMARKS.png]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main(results: Path = Path("bench/results.json"), out: Path = Path("BENCHMARKS.png")) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(results.read_text())
    fig, (speed, start, memory) = plt.subplots(1, 3, figsize=(15, 4))
    rows = sorted(data["scale_by_size"]["rows"], key=lambda r: r["papers"])
    sizes = [f"{r['papers']:,}" for r in rows]
    x = list(range(len(rows)))
    width = 0.38

    def pair(axis, left: list[float], right: list[float], labels: tuple[str, str], colors: tuple[str, str],
             formats: tuple[str, str], goal: float, unit: str, title: str) -> None:
        for offset, values, label, color, fmt in zip((-width / 2, width / 2), (left, right), labels, colors, formats):
            axis.bar_label(axis.bar([i + offset for i in x], values, width, label=label, color=color), fmt=fmt)
        _frame(axis, x, sizes, goal, unit, title)
        axis.set_ylim(0, 1.3 * max(left + right + [goal]))  # room for the legend above the bars
        axis.legend(fontsize=8, loc="upper left")

    pair(speed, [r["index_papers_per_s"] for r in rows], [r["encode_papers_per_s"] for r in rows],
         ("rag index", "encoding alone"), ("#2563eb", "#93c5fd"), ("%.1f", "%.1f"), 30, "papers / s",
         "Indexing (goal: 30 papers/s)")
    first = start.bar(x, [r["first_answer_s"] for r in rows], 0.5, color="#16a34a")
    start.bar_label(first, fmt="%.1f s")
    _frame(start, x, sizes, 5, "seconds", "First answer in a new process (goal: 5 s)")
    pair(memory, [r["index_peak_rss_mb"] / 1024 for r in rows], [r["serving_rss_mb"] / 1024 for r in rows],
         ("peak while indexing", "serving (after 11 answers)"), ("#f59e0b", "#a16207"), ("%.1f", "%.2f"), 2,
         "GB (RSS)", "Memory (goal: serving 2 GB)")
    fig.suptitle(data["scale_by_size"]["title"], fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    return out


def _frame(axis, x: list[int], sizes: list[str], goal: float, unit: str, title: str) -> None:
    axis.axhline(goal, color="#9ca3af", linestyle="--", linewidth=1)
    axis.set_xticks(x, sizes)
    axis.set_xlabel("papers")
    axis.set_ylabel(unit)
    axis.set_title(title)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=Path("bench/results.json"))
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.png"))
    args = parser.parse_args()
    print(main(args.results, args.out))
