"""The serving files: written with the build, opened instead of rebuilt, never trusted when damaged."""

import json
import logging
import shutil

import pytest

from rag.index import serving_files
from rag.index.engine import Engine
from rag.index.lexical import LexicalIndex
from rag.index.serving_files import serving_folder
from rag.index.store import iter_records

from ..conftest import SEEDS, make_settings


@pytest.fixture
def copied(settings, engine, tmp_path):
    """Settings for a copy of the session's index (its serving files included), to damage."""
    shutil.copytree(settings.index_dir, tmp_path / "index")
    return make_settings(corpus=SEEDS, index_dir=tmp_path / "index")


def _chroma_passages(engine) -> dict:
    """Passage id -> (its text cut from its paper's abstract, its paper's fields and its place),
    as Chroma holds them (the paper record names its passages' spans)."""
    passages = {}
    for batch in iter_records(engine.papers, ["metadatas"]):
        for pid, meta in zip(batch["ids"], batch["metadatas"]):
            for index, span in enumerate(meta["spans"].split()):
                start, end = (int(v) for v in span.split("-"))
                passages[f"{pid}:{index}"] = (meta["abstract"][start:end],
                                              {**meta, "doc_id": pid, "start": start, "end": end})
    return passages


def test_chroma_keeps_a_passage_as_its_vector_alone_and_its_paper_record_holds_the_rest(engine):
    got = engine.passages.get(include=["documents", "metadatas"])
    assert got["ids"] and all(d is None for d in got["documents"]) and all(m is None for m in got["metadatas"])
    papers = engine.papers.get(include=["documents", "metadatas"])
    assert all(d is None for d in papers["documents"])
    assert all({"abstract", "spans", "title", "content_hash"} <= set(m) for m in papers["metadatas"])
    assert any("collections" in m for m in papers["metadatas"])  # the seeds' collections stay filterable
    assert set(_chroma_passages(engine)) == set(got["ids"])


def test_the_build_writes_them_and_the_table_holds_what_chroma_holds(engine, settings):
    folder = serving_folder(settings, engine.manifest)
    assert engine.manifest["serving_files"] == folder.name and (folder / "meta.json").is_file()
    stored = _chroma_passages(engine)
    assert len(engine.rows) == len(stored) == engine.manifest["passage_count"]
    for row in engine.rows:
        text, meta = stored[row.id]
        assert (row.text, row.doc_id, row.start, row.end, row.title) == \
            (text, meta["doc_id"], meta["start"], meta["end"], meta["title"])
        assert row.label == (meta.get("label") or meta["title"])
        assert row.collections == tuple(meta.get("collections") or ())
        assert engine.rows[engine.rows.index_of(row.id)].id == row.id
        assert engine.rows.index_of(row.id) in engine.rows.of_paper(row.doc_id)
    assert engine.rows.index_of("no such passage") is None and engine.rows.of_paper("no such paper") == range(0)
    assert sum(len(engine.rows.of_paper(p)) for p in {r.doc_id for r in engine.rows}) == len(engine.rows)


def test_the_loaded_lexical_index_ranks_as_one_built_from_the_texts(engine, settings):
    weight = settings.retrieval.title_weight
    built = LexicalIndex([(f"{r.title} " * weight if not r.title_derived else "") + r.text for r in engine.rows])
    for query in ("compute-optimal training tokens", "speech synthesis GAN", "protein structure", "zzzz"):
        assert engine.lexical.search(query, 10) == built.search(query, 10)
    for word in ("model", "chinchilla", "speech", "absent-word"):
        assert engine.lexical.idf(word) == pytest.approx(built.idf(word))


def test_a_new_process_opens_them_without_reading_passages_from_chroma(copied, monkeypatch):
    Engine(copied)  # the copy's files are checked once
    monkeypatch.setattr(serving_files, "iter_records", lambda *a, **k: pytest.fail("passages read from Chroma"))
    engine = Engine(copied)
    assert len(engine.rows) == engine.manifest["passage_count"] and "chinchilla" in engine.vocabulary


@pytest.mark.parametrize("damage", ["flip a byte of the texts", "truncate the lexical index", "delete the table",
                                    "garble meta.json"])
def test_damaged_files_are_noticed_rewritten_with_a_warning_and_never_answered_from(copied, damage, caplog):
    from rag.index.store import Store

    manifest = Store(copied).read_manifest()
    folder = serving_folder(copied, manifest)
    if damage == "flip a byte of the texts":
        data = bytearray((folder / "texts.bytes").read_bytes())
        data[len(data) // 2] ^= 0x20
        (folder / "texts.bytes").write_bytes(bytes(data))
    elif damage == "truncate the lexical index":
        path = folder / "lexical" / "data.csc.index.npy"
        path.write_bytes(path.read_bytes()[:-100])
    elif damage == "delete the table":
        (folder / "spans.npy").unlink()
    else:
        (folder / "meta.json").write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="rag.index.serving_files"):
        engine = Engine(copied)
    assert any("cannot be used" in r.getMessage() and str(folder) in r.getMessage() for r in caplog.records)
    stored = _chroma_passages(engine)
    assert {row.id: row.text for row in engine.rows} == {pid: text for pid, (text, _) in stored.items()}
    assert json.loads((folder / "meta.json").read_text())["passages"] == len(stored)


def test_files_of_an_index_built_before_them_are_written_quietly_on_first_use(copied, caplog):
    from rag.index.store import Store

    store = Store(copied)
    manifest = store.read_manifest()
    shutil.rmtree(serving_folder(copied, manifest))
    store.write_manifest({k: v for k, v in manifest.items() if k != "serving_files"})
    with caplog.at_level(logging.WARNING, logger="rag.index.serving_files"):
        engine = Engine(copied)
    assert not caplog.records and len(engine.rows) == manifest["passage_count"]


def test_another_title_weight_gets_its_own_files(copied):
    heavier = make_settings(corpus=SEEDS, index_dir=copied.index_dir,
                            retrieval={"title_weight": copied.retrieval.title_weight + 1})
    engine = Engine(heavier)
    assert serving_folder(heavier, engine.manifest) != serving_folder(copied, engine.manifest)
    assert serving_folder(heavier, engine.manifest).is_dir() and serving_folder(copied, engine.manifest).is_dir()


def test_the_vocabulary_holds_the_authors_names_so_a_question_citing_them_is_not_refused(tmp_path):
    from rag.corpus.names import unknown_terms
    from rag.index.indexer import ensure_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "papers.jsonl").write_text(json.dumps({
        "id": "scaling", "title": "Scaling Laws for Neural Language Models", "authors": "Jared Kaplan, Sam McCandlish",
        "abstract": "We study empirical scaling laws for language model performance on the cross-entropy loss."}) + "\n")
    settings = make_settings(corpus=corpus, index_dir=tmp_path / "index")
    ensure_index(settings)
    vocabulary = Engine(settings).vocabulary
    assert "kaplan" in vocabulary and "mccandlish" in vocabulary
    assert unknown_terms("What do the Kaplan scaling laws say about model size?", vocabulary) == []
    assert unknown_terms("What do the Hoffmann scaling laws say about model size?", vocabulary) == ["Hoffmann"]
