import re

import pytest

from rag import CANNOT_ANSWER, Answer, ask, stream_ask
from rag.corpus.display import display_text
from rag.errors import QuestionError, UnknownLLMError

from ..conftest import find_paper

CHINCHILLA_Q = "What did the Chinchilla paper find about compute-optimal training?"
MARKERS = re.compile(r"\[(\d+)\]")


def assert_citations_are_exact(answer: Answer, engine):
    numbers = {int(n) for n in MARKERS.findall(answer.text)}
    assert numbers == {c.n for c in answer.citations}  # every marker names a citation and back
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        abstract = engine.abstract(citation.doc_id)
        assert abstract[citation.start:citation.end] == citation.text
        for start, end in citation.highlights:
            assert citation.start <= start < end <= citation.end
            # each highlighted sentence is in the answer (the extractive backend quotes them)


def test_chinchilla_question_is_answered_citing_chinchilla_first(settings, engine, chinchilla):
    answer = ask(CHINCHILLA_Q, settings=settings)
    assert not answer.refused
    assert answer.citations[0].doc_id == chinchilla.id
    assert "[1]" in answer.text
    assert "compute-optimal" in answer.text
    assert_citations_are_exact(answer, engine)
    for citation in answer.citations:  # extractive answers quote the highlighted sentences, readably
        for start, end in citation.highlights:
            assert display_text(engine.abstract(citation.doc_id)[start:end]).rstrip(".") in answer.text
    assert answer.timings["total"] > 0 and answer.llm == "extractive"


def test_an_answer_shows_powers_of_ten_as_written_not_flattened_into_other_numbers(settings):
    answer = ask("Over what range of the inverse temperature does the softmax study suggest tuning beta?",
                 settings=settings)
    assert "10⁻² to 10¹" in answer.text and "101" not in answer.text


def test_question_outside_the_corpus_is_refused_with_what_came_closest(settings):
    answer = ask("How long should I boil an egg for a runny yolk?", settings=settings)
    assert answer.refused
    assert answer.text == CANNOT_ANSWER
    assert answer.citations == []
    assert answer.closest and all(p.similarity < settings.retrieval.min_relevance for p in answer.closest)


def test_a_list_question_is_judged_by_its_topic_words_not_by_talk_about_or_deal_with(settings, papers):
    answer = ask("Which abstracts talk about partially observable or imperfect-information settings?",
                 settings=settings)
    assert not answer.refused
    assert find_paper(papers, "partially observable environments").id in {c.doc_id for c in answer.citations}


def test_a_comparison_of_two_papers_named_by_their_names_is_answered_from_both(settings, papers):
    answer = ask("What is the difference between PES and NRES?", settings=settings)  # words far from both abstracts
    assert not answer.refused
    assert {c.doc_id for c in answer.citations} == {find_paper(papers, "Persistent Evolution Strategies (PES)").id,
                                                     find_paper(papers, "Noise-Reuse Evolution Strategies (NRES)").id}


def test_a_question_for_the_main_finding_is_judged_by_its_topic_not_by_main(settings, papers):
    answer = ask("What is the main finding about scaling laws?", settings=settings)
    assert not answer.refused and answer.citations


def test_any_work_that_is_a_list_question(settings, papers):
    answer = ask("Any work that talks about memorization?", settings=settings)
    assert not answer.refused
    assert find_paper(papers, "algorithms that memorize").id in {c.doc_id for c in answer.citations}


def test_follow_up_question_uses_the_history(settings, chinchilla):
    history = [{"role": "user", "content": CHINCHILLA_Q},
               {"role": "assistant", "content": "It found that model size and tokens scale equally [1]."}]
    answer = ask("and what did they find about data?", history=history, settings=settings)
    assert answer.query.startswith(CHINCHILLA_Q)
    assert answer.citations[0].doc_id == chinchilla.id
    plain = ask("and what did they find about data?", settings=settings)
    assert plain.query == "and what did they find about data?"


def test_it_in_a_follow_up_is_the_paper_the_previous_question_names(settings, chinchilla):
    answer = ask("How many parameters does it have?", history=[{"role": "user", "content": "What is Chinchilla?"}],
                 settings=settings)
    assert answer.query == "How many parameters does Chinchilla have?"
    assert "70B parameters" in answer.text.split("[1]")[0]  # Chinchilla's own size, not the range of models trained
    assert {c.doc_id for c in answer.citations} == {chinchilla.id}


def test_a_follow_up_asking_for_an_attribute_is_refused_like_the_question_standing_alone(settings):
    history = [{"role": "user", "content": CHINCHILLA_Q}]
    for follow_up in ("And which learning rate did they use?", "What batch size did they train with?"):
        answer = ask(follow_up, history=history, settings=settings)
        assert answer.refused and "The abstracts mention Chinchilla but not its" in answer.text


def test_who_made_a_paper_asks_for_its_authors_which_no_abstract_states(settings):
    history = [{"role": "user", "content": "What is GAN-TTS?"}, {"role": "user", "content": "How was it evaluated?"}]
    answer = ask("Who are the authors?", history=history, settings=settings)
    assert answer.refused and answer.text.endswith("The abstracts mention GAN-TTS but not its authors.")
    assert ask("Who designed Sparse Transformers?", settings=settings).text.endswith(
        "The abstracts mention Sparse Transformers but not its authors.")


def test_stream_yields_text_pieces_then_the_final_answer(settings):
    items = list(stream_ask("How fast does GPT-4o respond to audio inputs?", settings=settings))
    assert all(isinstance(item, str) for item in items[:-1]) and len(items) >= 2
    final = items[-1]
    assert isinstance(final, Answer)
    assert "232 milliseconds" in "".join(items[:-1]) and "232 milliseconds" in final.text


def test_extractive_answers_are_deterministic(settings):
    first = ask("Which papers study scaling laws?", settings=settings)
    second = ask("Which papers study scaling laws?", settings=settings)
    assert first.text == second.text
    assert [c.doc_id for c in first.citations] == [c.doc_id for c in second.citations]


@pytest.mark.parametrize("question", ["", "   \n\t", None, 42, "x" * 2001])
def test_unusable_questions_are_clear_errors(settings, question):
    with pytest.raises(QuestionError):
        ask(question, settings=settings)


def test_unknown_backend_lists_the_known_ones(settings):
    with pytest.raises(UnknownLLMError) as raised:
        ask(CHINCHILLA_Q, llm="gpt-17", settings=settings)
    assert str(raised.value) == "Unknown model: gpt-17. Known models: extractive, fake, llamacpp, openai."


def test_fake_backend_answer_loses_bad_citations_and_unsupported_sentences(settings, engine, chinchilla):
    answer = ask(CHINCHILLA_Q, llm="fake", settings=settings)
    assert answer.llm == "fake" and not answer.refused
    assert "[99]" not in answer.text and "does not exist" not in answer.text
    assert "Bananas" not in answer.text
    assert any("[99]" in note for note in answer.notes)
    assert any("Bananas" in note for note in answer.notes)
    assert answer.citations[0].doc_id == chinchilla.id
    assert_citations_are_exact(answer, engine)


class _DroppedCollection:
    """A collection a Chroma server is dropping: every read fails the way it did in the
    two-servers test ("Missing metadata segment"), not with NotFoundError."""

    def __getattr__(self, name):
        from chromadb.errors import ChromaError

        def fails(*args, **kwargs):
            raise ChromaError("Missing field: [Missing metadata segment]")
        return fails


def test_a_chroma_error_from_a_replaced_build_is_answered_from_the_new_build_and_raised_otherwise(
        tmp_path, monkeypatch, chinchilla):
    import json
    import shutil

    from chromadb.errors import ChromaError

    from rag.index.engine import get_engine
    from rag.index.indexer import ensure_index

    from ..conftest import SEEDS, make_settings

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = make_settings(corpus=corpus, index_dir=tmp_path / "index")
    ensure_index(settings)
    old = get_engine(settings)
    monkeypatch.setattr(old, "passages", _DroppedCollection())
    with pytest.raises(ChromaError):  # the build is still live: the error is not hidden
        ask(CHINCHILLA_Q, settings=settings)

    (corpus / "extra.jsonl").write_text(json.dumps({"id": "extra", "abstract": "We study protein folding."}) + "\n")
    new = ensure_index(settings)  # another build goes live; the old engine is still the cached one
    assert get_engine(settings) is old
    answer = ask(CHINCHILLA_Q, settings=settings)
    assert answer.citations[0].doc_id == chinchilla.id
    assert get_engine(settings).manifest["passages_collection"] == new["passages_collection"]


def test_a_question_that_describes_its_paper_first_is_in_scope_when_the_description_finds_the_paper(settings):
    question = ("I remember a paper that generated speech from text with a generative adversarial network and judged "
                "it with several discriminators. What did they say about its parallelism?")
    strict = settings.model_copy(update={"retrieval": settings.retrieval.model_copy(
        update={"min_relevance": 0.65, "min_term_coverage": 1.0})})  # whole question 0.56, its description 0.72
    answer = ask(question, settings=strict)
    assert not answer.refused and "GAN-TTS" in answer.text, answer.notes
    assert ask("What did they say about its parallelism?", settings=strict).refused  # the asking sentence alone
