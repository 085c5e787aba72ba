import json
import shutil

import numpy as np
import pytest

from rag.corpus.reader import load_corpus
from rag.errors import IndexMissingError, IndexOutdatedError
from rag.index import builder
from rag.index.engine import Engine
from rag.index.indexer import CHUNKER_VERSION, build_index, ensure_index
from rag.index.store import BUILD_PREFIX, LocalEmbeddingFunction, Store
from rag.retrieval.hybrid import HybridRetriever
from rag.settings import PassageSettings

from ..conftest import SEEDS, make_settings

QUESTION = "What did the Chinchilla paper find about compute-optimal training?"


def test_manifest_records_what_built_the_index(engine, settings):
    manifest = Store(settings).read_manifest()
    assert manifest == engine.manifest
    assert manifest["embedding_model"].startswith("all-MiniLM-L6-v2")
    assert manifest["dimension"] == 384
    assert manifest["passages"] == {**settings.passages.model_dump(), "chunker_version": CHUNKER_VERSION}
    assert manifest["papers"] == 35
    assert manifest["passage_count"] == len(engine.rows) > 35
    assert len(manifest["corpus_fingerprint"]) == 24


def test_collections_use_our_embedding_function_never_chromas_default(engine):
    assert isinstance(engine.passages._embedding_function, LocalEmbeddingFunction)
    # querying by text goes through our model, not a downloaded ONNX one
    found = engine.passages.query(query_texts=[QUESTION], n_results=1)
    assert found["ids"][0]


def test_up_to_date_index_is_not_rebuilt(engine, settings):
    assert ensure_index(settings) == engine.manifest


def test_changed_settings_or_corpus_rebuild_or_raise_a_clear_error(tmp_path, engine, settings):
    index_dir = tmp_path / "index"
    shutil.copytree(settings.index_dir, index_dir)
    strict = make_settings(corpus=SEEDS, index_dir=index_dir, auto_build=False,
                           passages=PassageSettings(sentences=2))
    with pytest.raises(IndexOutdatedError, match="rag index"):
        ensure_index(strict)
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "extra.jsonl").write_text('{"id": "new1", "title": "New", "abstract": "A new paper on cats."}\n')
    changed = make_settings(corpus=corpus, index_dir=index_dir)
    manifest = ensure_index(changed)
    assert manifest["papers"] == 36
    assert manifest["passages_collection"] != engine.manifest["passages_collection"]
    with pytest.raises(IndexMissingError, match="rag index"):
        ensure_index(make_settings(corpus=SEEDS, index_dir=tmp_path / "empty", auto_build=False))


def _extra_papers(n: int) -> str:
    topics = ["graph neural networks", "protein folding", "speech recognition", "robot grasping",
              "weather forecasting", "music generation", "code search", "chip placement"]
    return "".join(
        json.dumps({"id": f"extra{i}", "title": f"Extra paper {i}",
                    "abstract": f"We study {topics[i % len(topics)]} with method number {i}. "
                                f"Our approach improves results on benchmark {i * 7}. It is simple."}) + "\n"
        for i in range(n))


def test_interrupted_build_leaves_the_live_index_answering_then_resumes(tmp_path, monkeypatch):
    monkeypatch.setattr(builder, "PAPERS_PER_STEP", 32)
    local = make_settings(corpus=SEEDS, index_dir=tmp_path / "index")
    before = build_index(local)
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "extra.jsonl").write_text(_extra_papers(40))
    grown = make_settings(corpus=corpus, index_dir=tmp_path / "index")

    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_index(grown, progress=interrupt)
    store = Store(local)
    assert store.read_manifest() == before
    assert store.read_manifest("pending") is not None
    top = HybridRetriever(Engine(local)).retrieve(QUESTION, 1)[0]
    assert "compute-optimal" in top.text or "chinchilla" in top.text

    after = build_index(grown)
    assert after["papers"] == 75
    assert after["resumed"] == 32  # the first step of the interrupted build is kept
    assert after["resumed"] + after["reused"] + after["embedded"] == 75
    assert after["embedded"] <= 40  # seed papers are never embedded again
    assert store.read_manifest("pending") is None
    builds = {n for n in store.collection_names() if n.startswith(BUILD_PREFIX)}
    assert builds == {after["passages_collection"], after["papers_collection"]}


def test_incremental_update_embeds_only_what_changed(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = make_settings(corpus=corpus, index_dir=tmp_path / "index")
    first = ensure_index(settings)
    assert first["embedded"] == 35
    assert ensure_index(settings) == first  # unchanged: nothing to do
    (corpus / "extra.jsonl").write_text(_extra_papers(2))
    added = ensure_index(settings)
    assert (added["papers"], added["embedded"], added["reused"]) == (37, 2, 35)
    (corpus / "extra.jsonl").write_text(_extra_papers(2).replace("It is simple.", "It is new."))
    changed = ensure_index(settings)
    assert (changed["embedded"], changed["reused"]) == (2, 35)
    (corpus / "extra.jsonl").unlink()
    removed = ensure_index(settings)
    assert (removed["papers"], removed["embedded"], removed["reused"]) == (35, 0, 35)
    served = sorted(p.name for p in (tmp_path / "index" / "serving_files").iterdir())
    assert served == [removed["serving_files"]]  # the replaced builds' serving files are gone
    engine = Engine(settings)
    assert not [row for row in engine.rows if row.doc_id.startswith("extra")]  # BM25 follows too
    assert engine.lexical.search("protein folding", 5) == [] or all(
        not engine.rows[r].doc_id.startswith("extra") for r, _ in engine.lexical.search("protein folding", 5))


def test_damaged_manifest_means_rebuild_not_a_wrong_answer(tmp_path):
    local = make_settings(corpus=SEEDS, index_dir=tmp_path / "index")
    build_index(local)
    store = Store(local)
    store.collection("rag_manifest").upsert(ids=["live"], documents=["{not json"], embeddings=[[1.0]])
    assert store.read_manifest() is None
    with pytest.raises(IndexMissingError):
        ensure_index(local.model_copy(update={"auto_build": False}))
    assert ensure_index(local)["papers"] == len(load_corpus(SEEDS))


def test_an_untouched_corpus_is_not_read_again_and_verify_reads_it(tmp_path, monkeypatch):
    import os

    from rag.index import indexer

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = make_settings(corpus=corpus, index_dir=tmp_path / "index")
    first = ensure_index(settings)
    assert len(first["corpus_stamps"]) == 5  # one per corpus file
    reads = []
    real_stream = indexer.stream_corpus
    monkeypatch.setattr(indexer, "stream_corpus", lambda path: reads.append(path) or real_stream(path))
    assert ensure_index(settings) == first and reads == []  # stamps unchanged: nothing read
    touched = next(corpus.iterdir())
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    after_touch = ensure_index(settings)
    assert len(reads) == 1  # a touched file is read (and hashed) again ...
    assert after_touch["passages_collection"] == first["passages_collection"]  # ... same papers: no rebuild
    assert after_touch["corpus_stamps"] != first["corpus_stamps"]  # ... and the new stamps are kept
    assert ensure_index(settings) == after_touch and len(reads) == 1
    assert ensure_index(settings, verify=True)["passages_collection"] == first["passages_collection"]
    assert len(reads) == 2  # verify reads every paper


@pytest.mark.parametrize("passage_text", [False, True], ids=["place-records", "text-records"])
def test_an_index_of_an_earlier_record_layout_is_served_and_reused_without_embedding_again(tmp_path, passage_text):
    """Earlier builds kept each paper's abstract as its document and each passage's place (and,
    before that, its text and all its paper's fields) on the passage record: such a build still
    serves, and the next build copies its vectors into today's records."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = make_settings(corpus=corpus, index_dir=tmp_path / "index")
    first = ensure_index(settings)
    store = Store(settings)
    passages, papers = (store.collection(first[k]) for k in ("passages_collection", "papers_collection"))
    got = passages.get(include=["embeddings"])
    rows = {pid: (meta, vector) for pid, meta, vector in _paper_rows(papers)}
    old_fields = {pid: {k: v for k, v in meta.items() if k not in ("abstract", "spans")} for pid, (meta, _) in rows.items()}
    papers.delete(ids=list(rows))
    papers.add(ids=list(rows), embeddings=[v for _, v in rows.values()], documents=[m["abstract"] for m, _ in rows.values()],
               metadatas=list(old_fields.values()))
    places, texts = [], []
    for pid in got["ids"]:
        doc_id, index = pid.rsplit(":", 1)
        meta = rows[doc_id][0]
        start, end = (int(v) for v in meta["spans"].split()[int(index)].split("-"))
        places.append({"doc_id": doc_id, "index": int(index), "start": start, "end": end,
                       **(old_fields[doc_id] if passage_text else {})})
        texts.append(meta["abstract"][start:end])
    passages.upsert(ids=got["ids"], embeddings=got["embeddings"], documents=texts if passage_text else None,
                    metadatas=places)
    shutil.rmtree(tmp_path / "index" / "serving_files")
    served = {row.id: row.text for row in Engine(settings).rows}
    assert served == dict(zip(got["ids"], texts))

    (corpus / "extra.jsonl").write_text(_extra_papers(1))
    grown = ensure_index(settings)
    assert (grown["embedded"], grown["reused"]) == (1, 35)
    copied = store.collection(grown["passages_collection"]).get(ids=got["ids"], include=["documents", "embeddings",
                                                                                          "metadatas"])
    assert all(d is None for d in copied["documents"]) and all(m is None for m in copied["metadatas"])
    vectors = dict(zip(got["ids"], got["embeddings"]))  # copied, not embedded again (Chroma rounds at 1e-8)
    np.testing.assert_allclose(copied["embeddings"], [vectors[i] for i in copied["ids"]], atol=1e-6)
    new_papers = store.collection(grown["papers_collection"]).get(ids=list(rows), include=["documents", "metadatas"])
    assert all(d is None for d in new_papers["documents"])
    assert {pid: m["spans"] for pid, m in zip(new_papers["ids"], new_papers["metadatas"])} == \
        {pid: m["spans"] for pid, (m, _) in rows.items()}
    assert {r.id: r.text for r in Engine(settings).rows if r.id in served} == served


def _paper_rows(papers):
    got = papers.get(include=["metadatas", "embeddings"])
    return zip(got["ids"], got["metadatas"], got["embeddings"])


def test_a_paper_whose_passages_the_live_build_lacks_is_embedded_again_not_copied_half(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = make_settings(corpus=corpus, index_dir=tmp_path / "index")
    first = ensure_index(settings)
    store = Store(settings)
    live = store.collection(first["passages_collection"])
    victim = sorted(live.get(include=[])["ids"])[0]
    live.delete(ids=[victim])
    (corpus / "extra.jsonl").write_text(_extra_papers(1))
    grown = ensure_index(settings)
    assert (grown["embedded"], grown["reused"]) == (2, 34)  # the new paper and the damaged one
    assert grown["passage_count"] == first["passage_count"] + len(Engine(settings).rows.of_paper("extra0"))
    assert store.collection(grown["passages_collection"]).get(ids=[victim])["ids"] == [victim]


def test_a_label_stored_under_earlier_rules_is_made_again_when_served_and_when_copied(tmp_path):
    """A build whose labels were made by earlier rules (no ``label_rules`` on its records) serves
    today's labels once its serving files are written again, and the next build stores them in
    the records it copies, without embedding again."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = make_settings(corpus=corpus, index_dir=tmp_path / "index")
    first = ensure_index(settings)
    papers = Store(settings).collection(first["papers_collection"])
    pid, meta, vector = next((p, m, v) for p, m, v in _paper_rows(papers) if not m["named"])
    earlier = {k: v for k, v in meta.items() if k != "label_rules"}
    papers.delete(ids=[pid])
    papers.add(ids=[pid], embeddings=[vector], metadatas=[{**earlier, "label": "An earlier label", "named": True}])
    shutil.rmtree(tmp_path / "index" / "serving_files")
    rows = Engine(settings).rows
    assert (rows[rows.of_paper(pid)[0]].label, rows[rows.of_paper(pid)[0]].named) == (meta["label"], False)
    (corpus / "extra.jsonl").write_text(_extra_papers(1))
    grown = ensure_index(settings)
    assert (grown["embedded"], grown["reused"]) == (1, 35)
    copied = Store(settings).collection(grown["papers_collection"]).get(ids=[pid], include=["metadatas"])["metadatas"][0]
    assert (copied["label"], copied["named"], copied["label_rules"]) == (meta["label"], False, meta["label_rules"])


def test_passage_records_no_paper_names_are_dropped_before_the_build_goes_live(tmp_path):
    """A paper cut off after its passages were written, then removed from the corpus, leaves
    passage records no paper record names: the build drops them."""
    settings = make_settings(corpus=SEEDS, index_dir=tmp_path / "index")
    papers = load_corpus(SEEDS)
    from rag.index.indexer import expected_manifest

    build = builder.Builder(settings, expected_manifest(settings, papers))
    build.passages.upsert(ids=["gone:0", "gone:1"], embeddings=[[0.1] * 384, [0.2] * 384])
    manifest = build.run(papers)
    passages = Store(settings).collection(manifest["passages_collection"])
    assert passages.get(ids=["gone:0", "gone:1"])["ids"] == []
    assert passages.count() == manifest["passage_count"] == len(Engine(settings).rows)
