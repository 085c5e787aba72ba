"""Build a BEIR collection we did not write, from FOLDOC (the Free On-line Dictionary of
Computing, Debian package ``dict-foldoc``): a known-item task where each query is an entry's
headword and the relevant document is that entry's definition (headword lines removed).

    apt-get install dict-foldoc
    python -m evals.foldoc --out /tmp/foldoc      # then: rag eval --dataset /tmp/foldoc

Sampling is seeded, so the same package version always gives the same collection.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from pathlib import Path

DICT = Path("/usr/share/dictd/foldoc.dict.dz")
INDEX = Path("/usr/share/dictd/foldoc.index")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _number(text: str) -> int:
    value = 0
    for char in text:
        value = value * 64 + _B64.index(char)
    return value


def entries() -> dict[tuple[int, int], tuple[list[str], str]]:
    """(offset, length) -> (headwords, definition text) for every FOLDOC entry."""
    if not DICT.exists():
        raise SystemExit(f"{DICT} is missing: install it with 'apt-get install dict-foldoc'.")
    data = gzip.open(DICT).read()
    found: dict[tuple[int, int], tuple[list[str], str]] = {}
    for line in INDEX.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00database"):
            continue
        key = (_number(parts[1]), _number(parts[2]))
        if key not in found:
            raw = data[key[0]:key[0] + key[1]].decode("utf-8", errors="replace")
            head, _, body = raw.strip("\n").partition("\n\n")
            body = re.sub(r"\s+", " ", body.replace("{", "").replace("}", "")).strip()
            found[key] = ([h.strip() for h in head.splitlines() if h.strip()], body)
    return found


def build(out: Path, documents: int, queries: int, seed: int = 13) -> Path:
    """Write corpus.jsonl, queries.jsonl and qrels/test.tsv under ``out``."""
    usable = sorted(
        (heads, body) for heads, body in entries().values()
        if heads and 150 <= len(body) <= 2500 and re.fullmatch(r"[A-Za-z][A-Za-z0-9 .+#-]{2,40}", heads[0])
    )
    rng = random.Random(seed)
    chosen = rng.sample(usable, min(documents, len(usable)))
    asked = rng.sample(range(len(chosen)), min(queries, len(chosen)))
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as corpus:
        for i, (_, body) in enumerate(chosen):
            corpus.write(json.dumps({"_id": f"d{i}", "title": "", "text": body}) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as qfile, \
            (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as qrels:
        qrels.write("query-id\tcorpus-id\tscore\n")
        for n, i in enumerate(sorted(asked)):
            qfile.write(json.dumps({"_id": f"q{n}", "text": chosen[i][0][0],
                                    "metadata": {"split": "test", "type": "headword"}}) + "\n")
            qrels.write(f"q{n}\td{i}\t1\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    print(build(args.out, args.documents, args.queries))


if __name__ == "__main__":
    main()
