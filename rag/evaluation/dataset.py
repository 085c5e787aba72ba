"""BEIR-format datasets: ``corpus.jsonl``, ``queries.jsonl``, ``qrels/test.tsv``.

Our own extension, ignored by other BEIR tools: a query's ``metadata`` may carry ``split``
(``dev``/``test``), ``type``, ``answerable`` (false for questions the corpus cannot answer;
they have no qrels), ``answers`` (short strings a correct answer states, any one of them) and,
for unanswerable questions, ``near_miss`` (``attribute``, ``entity``, ``claim`` or ``other``); a
follow-up question's ``history`` lists the user's earlier questions, oldest first.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CorpusError

DEFAULT_DATASET = Path("evals/data")


@dataclass
class EvalQuery:
    id: str
    text: str
    gold: set[str] = field(default_factory=set)
    split: str = "test"
    type: str = ""
    answerable: bool = True
    answers: list[str] = field(default_factory=list)
    near_miss: str | None = None
    history: list[str] = field(default_factory=list)
    """For a follow-up: the user's earlier questions, oldest first (the system answers them first)."""


@dataclass
class Dataset:
    name: str
    path: Path
    corpus: Path
    queries: list[EvalQuery]

    def select(self, split: str) -> list[EvalQuery]:
        """Queries of ``split`` (``dev``, ``test`` or ``all``)."""
        return [q for q in self.queries if split == "all" or q.split == split]


def _read_qrels(path: Path) -> dict[str, set[str]]:
    gold: dict[str, set[str]] = defaultdict(set)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t")
        for row in rows:
            if not row or row[0] == "query-id":
                continue
            if len(row) < 3:
                raise CorpusError(f"{path}: a qrels line needs query-id, corpus-id and score: {row}")
            if float(row[2]) > 0:
                gold[row[0]].add(row[1])
    return gold


def load_dataset(path: Path | str = DEFAULT_DATASET, corpus: Path | str | None = None) -> Dataset:
    """Load a BEIR dataset folder. ``corpus`` overrides ``path/corpus.jsonl`` (our own
    dataset is evaluated on the seed files themselves)."""
    path = Path(path)
    queries_file, qrels_file = path / "queries.jsonl", path / "qrels" / "test.tsv"
    corpus_path = Path(corpus) if corpus else path / "corpus.jsonl"
    for needed in (queries_file, qrels_file, corpus_path):
        if not needed.exists():
            raise CorpusError(
                f"{needed} is missing: a BEIR dataset folder holds corpus.jsonl, queries.jsonl "
                "and qrels/test.tsv."
            )
    gold = _read_qrels(qrels_file)
    queries = []
    for number, line in enumerate(queries_file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise CorpusError(f"{queries_file}: line {number} is not JSON ({error}).") from error
        meta = record.get("metadata") or {}
        query_id = str(record["_id"])
        answerable = bool(meta.get("answerable", query_id in gold))
        if answerable and query_id not in gold:
            continue  # BEIR files list queries of other splits without qrels in this one
        queries.append(EvalQuery(query_id, record["text"], gold.get(query_id, set()),
                                 meta.get("split", "test"), meta.get("type", ""), answerable,
                                 list(meta.get("answers") or []), meta.get("near_miss"),
                                 [str(turn) for turn in meta.get("history") or []]))
    return Dataset(path.name if path.name != "data" else "seeds", path, corpus_path, queries)


def write_beir_corpus(corpus: Path | str, target: Path) -> int:
    """Write the papers of ``corpus`` as a BEIR ``corpus.jsonl`` (``_id``, ``title``, ``text``);
    derived titles are left empty. Returns the number of papers."""
    from ..corpus.reader import load_corpus

    papers = load_corpus(corpus)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as handle:
        for paper in papers:
            title = "" if paper.title_derived else paper.title
            handle.write(json.dumps({"_id": paper.id, "title": title, "text": paper.abstract},
                                    ensure_ascii=False) + "\n")
    return len(papers)
