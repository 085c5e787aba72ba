from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from rag.corpus.chunking import chunk_paper, passage_spans
from rag.corpus.text import normalize_text, sentence_spans
from rag.models import Paper
from rag.settings import PassageSettings


def test_every_seed_passage_slices_its_abstract_exactly(papers):
    for paper in papers:
        chunks = chunk_paper(paper, PassageSettings())
        assert chunks, paper.id
        for chunk in chunks:
            assert paper.abstract[chunk.start:chunk.end] == chunk.text
            assert chunk.id == f"{paper.id}:{chunk.index}"


def test_passages_are_whole_sentences_that_cover_the_abstract(papers):
    settings = PassageSettings(sentences=3, overlap=1)
    for paper in papers:
        sentence_starts = {s for s, _ in sentence_spans(paper.abstract)}
        sentence_ends = {e for _, e in sentence_spans(paper.abstract)}
        spans = passage_spans(paper.abstract, settings)
        assert all(s in sentence_starts and e in sentence_ends for s, e in spans)
        assert spans[0][0] == 0 and spans[-1][1] == len(paper.abstract)
        for (_, end), (next_start, _) in zip(spans, spans[1:]):
            assert next_start <= end + 1  # neighbours touch or overlap: nothing is skipped


def test_overlap_shares_one_sentence_between_neighbours(papers):
    paper = max(papers, key=lambda p: len(sentence_spans(p.abstract)))
    spans = passage_spans(paper.abstract, PassageSettings(sentences=3, overlap=1, max_chars=5000))
    sentences = sentence_spans(paper.abstract)
    assert spans[0] == (sentences[0][0], sentences[2][1])
    assert spans[1][0] == sentences[2][0]


@hsettings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("abc XYZ.!?\n1")), min_size=1, max_size=400),
    st.integers(1, 5), st.integers(0, 4), st.integers(100, 400),
)
def test_offsets_hold_for_any_text_and_settings(raw, n, overlap, max_chars):
    abstract = normalize_text(raw)
    paper = Paper(id="p", title="t", abstract=abstract)
    settings = PassageSettings(sentences=n, overlap=min(overlap, n - 1), max_chars=max_chars)
    for chunk in chunk_paper(paper, settings):
        assert abstract[chunk.start:chunk.end] == chunk.text != ""
