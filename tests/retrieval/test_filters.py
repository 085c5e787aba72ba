import json

import pytest

from rag import SearchFilter, search
from rag.errors import QuestionError

from ..conftest import make_settings

TOPICS = ["graph neural networks for molecules", "speech recognition with transformers",
          "image segmentation of cells", "reinforcement learning for robot grasping"]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    folder = tmp_path_factory.mktemp("catalogue")
    lines = []
    for i in range(16):
        lines.append(json.dumps({
            "id": f"2{i:03d}.0001", "title": f"Study {i} of {TOPICS[i % 4]}",
            "abstract": f"We study {TOPICS[i % 4]} in setting {i}. Results improve on the baseline by {i} points.",
            "authors": "Ada Lovelace, Alan Turing" if i % 2 else "Grace Hopper",
            "categories": "cs.LG stat.ML" if i % 4 == 0 else "cs.CV" if i % 4 == 2 else "cs.CL",
            "update_date": f"{2016 + i % 8}-05-01",
        }))
    (folder / "catalogue.jsonl").write_text("\n".join(lines) + "\n")
    return make_settings(corpus=folder / "catalogue.jsonl", index_dir=folder / "index")


@pytest.mark.parametrize("dense_by", ["wider-search", "chroma-ids"])
@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_filters_hold_in_every_mode(catalogue, mode, dense_by, monkeypatch):
    """Dense search applies a filter passing many passages to a wider search's results, and
    hands Chroma the passing ids otherwise: both ways are run here."""
    from rag.index.engine import get_engine
    from rag.retrieval import hybrid

    monkeypatch.setattr(hybrid, "BROAD_FILTER_SHARE", 0.05 if dense_by == "wider-search" else 1.01)

    engine = get_engine(catalogue)
    meta = {row.doc_id: row for row in engine.rows}
    cases = [
        ({"categories": ["cs.CV"]}, lambda r: "cs.CV" in r.categories),
        ({"authors": ["Grace Hopper"]}, lambda r: "Grace Hopper" in r.authors),
        ({"year_from": 2019, "year_to": 2021}, lambda r: 2019 <= r.year <= 2021),
        ({"categories": ["cs.LG", "cs.CV"], "year_to": 2018}, lambda r: r.year <= 2018 and set(r.categories) & {"cs.LG", "cs.CV"}),
        ({"authors": ["Grace Hopper"], "year_from": 2022}, lambda r: "Grace Hopper" in r.authors and r.year >= 2022),
    ]
    for filters, check in cases:
        found = search("learning study results", k=10, mode=mode, filters=filters, settings=catalogue)
        assert found, filters
        assert all(check(meta[p.doc_id]) for p in found), filters
    everything = search("learning study results", k=30, mode=mode, settings=catalogue)
    assert any(not check(meta[p.doc_id]) for p in everything for _, check in cases[:1])


def test_bad_filters_are_clear_errors(catalogue):
    with pytest.raises(QuestionError, match="Bad filter"):
        search("x", filters={"year_from": "soon"}, settings=catalogue)
    with pytest.raises(QuestionError, match="Bad filter"):
        search("x", filters={"colour": "red"}, settings=catalogue)
    assert SearchFilter().is_empty() and not SearchFilter(year_to=2020).is_empty()
