import json
import shutil
import tracemalloc
import warnings

import pytest

from rag.corpus.reader import CorpusWarning, load_corpus, paper_id, stream_corpus
from rag.errors import CorpusError

from ..conftest import SEEDS, find_paper

LISTING = "004_e29358177b525bae.txt"
ABSTRACT_LISTS = ["000_82cb9a84cf524356.txt", "001_900c64551af58656.txt",
                  "002_b5e4d2dd41f21971.txt", "003_1df78942d9a3da2c.txt"]


def test_seeds_hold_35_distinct_papers(papers):
    assert len(papers) == 35
    assert len({p.id for p in papers}) == 35


def test_gpt4o_system_card_is_one_paper_with_four_sources(papers):
    card = find_paper(papers, "GPT-4o is an autoregressive omni model")
    assert sorted(card.sources) == ABSTRACT_LISTS
    assert card.collections == ["Tony"]


def test_ids_are_stable_across_parses_and_follow_the_text(papers):
    again = load_corpus(SEEDS)
    assert [p.id for p in again] == [p.id for p in papers]
    paper = papers[3]
    assert paper.id == paper_id(paper.abstract) == paper_id("  " + paper.abstract.upper() + "\n")


def test_abstract_list_records_never_swallow_the_next_record(papers):
    for paper in papers:
        assert "Abstract:" not in paper.abstract
        assert paper.abstract == paper.abstract.strip()
    in_first_file = [p for p in papers if ABSTRACT_LISTS[0] in p.sources]
    assert len(in_first_file) == 10


def test_untitled_papers_get_a_label_from_their_abstract(papers):
    card = find_paper(papers, "GPT-4o is an autoregressive omni model")
    assert card.title_derived
    assert card.title.rstrip("…").split()[:4] == card.abstract.split()[:4]
    assert len(card.title.split()) <= 12


def test_listing_format_gives_titles_venues_and_header_author(papers):
    listing = [p for p in papers if LISTING in p.sources]
    assert [p.title for p in listing] == [
        "GPT-4 Technical Report",
        "Seq2Slate: Re-ranking and Slate Optimization with RNNs",
        "Backprop Evolution",
        "Neural Optimizer Search with Reinforcement Learning",
        "Neural Combinatorial Optimization with Reinforcement Learning",
    ]
    assert [p.venue for p in listing][:2] == ["arXiv.org Artificial Intelligence", "arXiv.org Machine Learning"]
    for paper in listing:
        assert paper.collections == ["Goto"]
        assert paper.authors == ["Bello, Irwan"]  # the header's no-break space is normalised away
        assert not paper.title_derived
        # an abstract never contains a header line or the next record's title or venue
        assert "Collaborating Authors" not in paper.abstract
        assert "arXiv.org" not in paper.abstract
        assert not any(other.title in paper.abstract for other in listing)
    assert listing[0].abstract.startswith("We report the development of GPT-4")
    assert listing[-1].abstract.endswith("instances with up to 200 items.")


def test_arxiv_snapshot_and_beir_jsonl_load_as_they_are(tmp_path):
    arxiv = {
        "id": "2203.15556", "submitter": "Jordan Hoffmann", "authors": "Jordan Hoffmann, Sebastian Borgeaud",
        "title": "Training Compute-Optimal\n  Large Language Models", "comments": None,
        "journal-ref": None, "doi": None, "report-no": None, "categories": "cs.CL cs.LG",
        "license": "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        "abstract": "  We investigate the optimal model size.\n  More text here.\n",
        "versions": [{"version": "v1", "created": "Tue, 29 Mar 2022 13:38:34 GMT"}],
        "update_date": "2022-03-30",
        "authors_parsed": [["Hoffmann", "Jordan", ""], ["Borgeaud", "Sebastian", ""]],
    }
    newer = dict(arxiv, abstract="We investigate the optimal model size. Revised text.")
    (tmp_path / "arxiv.jsonl").write_text(json.dumps(arxiv) + "\n" + json.dumps(newer) + "\n")
    (tmp_path / "corpus.jsonl").write_text(json.dumps({"_id": "doc7", "title": "", "text": "A BEIR text. Second."}) + "\n")
    papers = {p.id: p for p in load_corpus(tmp_path)}
    assert set(papers) == {"2203.15556", "doc7"}
    paper = papers["2203.15556"]
    assert paper.title == "Training Compute-Optimal Large Language Models"
    assert paper.abstract == "We investigate the optimal model size. Revised text."  # later version wins
    assert paper.authors == ["Jordan Hoffmann", "Sebastian Borgeaud"]
    assert paper.categories == ["cs.CL", "cs.LG"]
    assert paper.year == 2022
    assert papers["doc7"].title_derived and papers["doc7"].title == "A BEIR text"


def test_unreadable_files_are_skipped_with_a_warning_naming_file_and_reason(tmp_path):
    shutil.copy(SEEDS / LISTING, tmp_path / LISTING)
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00")
    (tmp_path / "latin1.txt").write_bytes("Tony\nAbstract:caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "prose.txt").write_text("Just some notes\nwith no records at all\n")
    (tmp_path / "bad.jsonl").write_text('{"id": "ok1", "abstract": "Fine one."}\n{not json\n[1, 2]\n{"id": "x"}\n')
    with pytest.warns(CorpusWarning) as caught:
        papers = load_corpus(tmp_path)
    messages = [str(w.message) for w in caught]
    expected = {
        "binary.txt": "binary", "latin1.txt": "not UTF-8", "empty.txt": "empty",
        "prose.txt": "neither seed format", "bad.jsonl": "line 2",
    }
    for name, reason in expected.items():
        assert any(name in m and reason in m for m in messages), (name, messages)
    assert any("bad.jsonl" in m and "line 3" in m for m in messages)
    assert any("bad.jsonl" in m and "line 4" in m for m in messages)
    assert sorted(p.id for p in papers if p.sources == ["bad.jsonl"]) == ["ok1"]
    assert len([p for p in papers if LISTING in p.sources]) == 5


def test_missing_or_empty_corpus_says_what_to_do(tmp_path):
    with pytest.raises(CorpusError, match="RAG_CORPUS"):
        load_corpus(tmp_path / "nowhere")
    with pytest.raises(CorpusError, match="No .txt or .jsonl"):
        load_corpus(tmp_path)


def test_stream_merges_versions_and_files_like_load_corpus(tmp_path):
    shutil.copy(SEEDS / LISTING, tmp_path / LISTING)
    seed = load_corpus(tmp_path)[0]
    lines = [{"id": "a", "abstract": "First version."}, {"id": "b", "abstract": "Other paper."},
             {"id": "a", "abstract": "Second version.", "categories": "cs.LG"},
             {"id": seed.id, "abstract": seed.abstract, "categories": "cs.AI"}]
    (tmp_path / "snap.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second pass over the files must not warn again
        stream = stream_corpus(tmp_path)
        streamed = {p.id: p for p in stream}
        assert len(stream) == len(streamed) == 7 and stream.ids == set(streamed)
    assert streamed["a"].abstract == "Second version." and streamed["a"].categories == ["cs.LG"]
    merged = streamed[seed.id]
    assert merged.sources == [LISTING, "snap.jsonl"] and merged.categories == ["cs.AI"]
    assert merged.venue == seed.venue and merged.title == seed.title
    assert [p.id for p in load_corpus(tmp_path)] == [p.id for p in sorted(stream, key=stream.order)]


def test_streaming_a_large_jsonl_holds_ids_not_texts(tmp_path):
    path = tmp_path / "big.jsonl"
    filler = "word " * 1000
    with path.open("w") as out:
        for n in range(1_000):
            out.write(json.dumps({"id": f"x{n}", "title": f"T{n}", "abstract": f"Paper {n}. {filler}"}) + "\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for _ in stream_corpus(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 1_000
    assert peak < size / 4, f"streaming {size / 1e6:.0f} MB held {peak / 1e6:.1f} MB at its peak"


BAD_FIELDS = [
    ({"authors_parsed": [5]}, "authors_parsed"), ({"authors_parsed": [["a", 1]]}, "authors_parsed"),
    ({"authors_parsed": 7}, "authors_parsed"), ({"authors": {"name": "x"}}, "authors"),
    ({"categories": [1, 2]}, "categories"), ({"title": ["a"]}, "title"), ({"year": [2020]}, "year"),
    ({"update_date": 2020.5}, "update_date"), ({"collection": 3}, "collection"), ({"venue": True}, "venue"),
    ({"id": {"a": 1}}, "id"), ({"journal-ref": 9}, "journal-ref"),
]


def test_a_field_of_the_wrong_type_is_ignored_with_a_warning_naming_it(tmp_path):
    lines = [{"id": f"bad{n}", "abstract": f"Paper number {n} studies things.", **fields}
             for n, (fields, _) in enumerate(BAD_FIELDS)]
    lines.append({"id": "nothing", "abstract": ["not", "text"]})
    lines.append({"id": "fine", "abstract": "A fine paper.", "authors_parsed": [["Hoffmann", "Jordan", ""]]})
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.warns(CorpusWarning) as caught:
        papers = {p.abstract: p for p in load_corpus(path)}
    messages = [str(w.message) for w in caught]
    for n, (_, field) in enumerate(BAD_FIELDS, start=1):
        assert any(f"line {n}: field '{field}'" in m and "field ignored" in m for m in messages), field
    assert any(f"line {len(BAD_FIELDS) + 1} has no 'abstract'" in m for m in messages)
    assert len(papers) == len(BAD_FIELDS) + 1  # every paper kept but the one with no text
    assert papers["A fine paper."].authors == ["Jordan Hoffmann"]
    assert papers["Paper number 0 studies things."].authors == []


def test_a_corpus_with_bad_fields_still_builds_an_index(tmp_path):
    from rag.index.indexer import ensure_index

    from ..conftest import make_settings

    lines = [{"id": "a", "abstract": "Scaling laws for language models hold.", "authors_parsed": [5]},
             {"id": "b", "abstract": "Learned optimizers train networks.", "authors_parsed": [["a", 1]]}]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.warns(CorpusWarning):
        manifest = ensure_index(make_settings(corpus=tmp_path / "c.jsonl", index_dir=tmp_path / "index"))
    assert manifest["papers"] == 2


@pytest.mark.parametrize("venue", ["NeurIPS 2021", "International Conference on Learning Representations",
                                   "Journal of Machine Learning Research, vol. 3", "arXiv.org Machine Learning"])
def test_listing_records_are_found_by_layout_whatever_the_venue(tmp_path, venue):
    listing = (SEEDS / LISTING).read_text().replace("arXiv.org Machine Learning", venue)
    (tmp_path / "listing.txt").write_text(listing)
    got = load_corpus(tmp_path)
    want = [p for p in load_corpus(SEEDS) if LISTING in p.sources]
    assert [p.title for p in got] == [p.title for p in want]
    assert [p.abstract for p in got] == [p.abstract for p in want]
    assert [p.venue for p in got][1:] == [venue] * 4


def test_a_listing_without_double_blank_lines_falls_back_to_venue_lines(tmp_path):
    listing = "\n\n".join((SEEDS / LISTING).read_text().split("\n\n\n"))  # single blank lines only
    (tmp_path / "listing.txt").write_text(listing)
    got = load_corpus(tmp_path)
    assert [p.title for p in got] == [p.title for p in load_corpus(SEEDS) if LISTING in p.sources]


def test_a_device_or_pipe_as_corpus_is_a_clear_error(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe")
    for path in ("/dev/zero", tmp_path / "pipe"):
        with pytest.raises(CorpusError, match="neither a regular file nor a folder"):
            load_corpus(path)
