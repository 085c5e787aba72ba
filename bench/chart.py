"""Draw BENCHMARKS.png from bench/results.json (written by hand from the bench runs' output)."""

from __future__ import annotations

import json
from pathlib import Path


def main(results: Path = Path("bench/results.json"), out: Path = Path("BENCHMARKS.png")) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(results.read_text())
    fig, (speed, latency) = plt.subplots(1, 2, figsize=(11, 4))
    backends = data["embeddings"]
    names = ["torch", "onnx", "onnx-int8"]
    bars = speed.bar(names, [backends[n]["papers_per_s"] for n in names], color=["#94a3b8", "#60a5fa", "#2563eb"])
    speed.bar_label(bars, fmt="%.1f")
    speed.set_ylabel("papers / s (embedding only)")
    speed.set_title(f"Embedding backends, {backends['papers']} synthetic papers, {backends['cores']} cores")
    latest = {r["papers"]: r for r in data["scale"] if r["backend"] == "onnx-int8"}  # later runs win
    runs = [latest[size] for size in sorted(latest)]
    sizes = [str(r["papers"]) for r in runs]
    width = 0.35
    x = range(len(runs))
    a = latency.bar([i - width / 2 for i in x], [r["search_ms_p50"] for r in runs], width, label="search p50")
    b = latency.bar([i + width / 2 for i in x], [r["ask_extractive_ms_p50"] for r in runs], width, label="ask p50 (extractive)")
    latency.bar_label(a, fmt="%.0f")
    latency.bar_label(b, fmt="%.0f")
    latency.set_xticks(list(x), sizes)
    latency.set_xlabel("papers in the index (onnx-int8)")
    latency.set_ylabel("ms")
    latency.axhline(30, color="#9ca3af", linestyle=":", linewidth=1)
    latency.axhline(100, color="#9ca3af", linestyle="--", linewidth=1)
    latency.legend(fontsize=8)
    latency.set_title("Warm latency (goals: search 30 ms, ask 100 ms)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    return out


if __name__ == "__main__":
    print(main())
