"""Synthetic abstracts of realistic length for the scale benchmarks.

Each abstract is 150 to 300 words: whole sentences drawn (with a fixed seed) from the seed
abstracts, with numbers and a few words swapped so that no two abstracts are the same, and a
title made of words of its first sentence. Written as arXiv-snapshot-style JSONL.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.corpus.reader import load_corpus
from rag.corpus.text import sentences

SWAPS = ["model", "method", "network", "agent", "optimizer", "dataset", "benchmark", "policy",
         "transformer", "estimator", "objective", "representation", "architecture", "task"]


def write_corpus(path: Path, papers: int, seed: int = 7, seeds_dir: Path = Path("seeds")) -> Path:
    """Write ``papers`` synthetic abstracts to ``path`` (JSONL) and return it."""
    pool = [s for p in load_corpus(seeds_dir) for s in sentences(p.abstract) if len(s.split()) >= 8]
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for n in range(papers):
            words, chosen = 0, []
            target = rng.randint(150, 300)
            while words < target:
                sentence = rng.choice(pool)
                sentence = re.sub(r"\d+(\.\d+)?", lambda m: str(rng.randint(2, 999)), sentence)
                sentence = re.sub(r"\b(model|method|network|optimizer|task)\b", lambda m: rng.choice(SWAPS), sentence)
                chosen.append(sentence)
                words += len(sentence.split())
            title = " ".join(chosen[0].split()[: rng.randint(4, 9)]).rstrip(",.;:").title()
            out.write(json.dumps({
                "id": f"synth.{n:06d}", "title": title, "abstract": " ".join(chosen),
                "authors": f"Author {rng.randint(1, 500)}, Author {rng.randint(1, 500)}",
                "categories": rng.choice(["cs.LG", "cs.CL", "cs.LG stat.ML", "cs.AI", "cs.CV"]),
                "update_date": f"20{rng.randint(15, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            }) + "\n")
    return path


@contextmanager
def work_folder(path: Path | None) -> Iterator[Path]:
    """The benchmarks' ``--workdir``: ``path`` (created, kept afterwards, so corpora and indexes
    are reused), or a temporary folder removed at the end."""
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)
