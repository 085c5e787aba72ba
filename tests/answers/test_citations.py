import pytest

from rag.answers.citations import (
    check_answer,
    is_refusal,
    names_nothing,
    restates_question,
    strip_markers,
    with_markers,
)
from rag.answers.prompts import CANNOT_ANSWER
from rag.index.embeddings import get_embedder
from rag.models import Passage


@pytest.fixture(scope="module")
def embedder(settings):
    return get_embedder(settings.embeddings)


def passage(doc: str, text: str, start: int = 0) -> Passage:
    return Passage(doc_id=doc, title=doc, source="s.txt", text=text, start=start, end=start + len(text))


PASSAGES = [
    passage("gpt4o", "GPT-4o can respond to audio inputs in as little as 232 milliseconds. It is 50% cheaper in the API."),
    passage("codex", "Codex solves 28.8% of the HumanEval problems. Repeated sampling solves 70.2% of them."),
]


def test_markers_are_placed_before_final_punctuation_and_stripped_back():
    assert with_markers("It is fast.", [1, 3]) == "It is fast [1][3]."
    assert strip_markers("It is fast [1][3].") == "It is fast."
    assert strip_markers("It is fast [1, 3] and cheap [2].") == "It is fast and cheap."


def test_supported_claims_keep_renumbered_citations(embedder):
    raw = "Codex solves 28.8% of HumanEval problems [2]. GPT-4o answers audio in 232 milliseconds [1]."
    checked = check_answer(raw, PASSAGES, embedder, threshold=0.45)
    assert not checked.refused
    assert checked.text == "Codex solves 28.8% of HumanEval problems [1]. GPT-4o answers audio in 232 milliseconds [2]."
    assert [c.doc_id for c in checked.citations] == ["codex", "gpt4o"]
    assert checked.citations[0].highlights == [(0, len("Codex solves 28.8% of the HumanEval problems."))]


def test_markers_naming_no_passage_are_removed(embedder):
    checked = check_answer("Codex solves 28.8% of HumanEval problems [2][5][0].", PASSAGES, embedder, 0.45)
    assert checked.text == "Codex solves 28.8% of HumanEval problems [1]."
    assert sum("no retrieved passage has that number" in n for n in checked.notes) == 2


def test_a_citation_to_a_passage_that_does_not_support_the_sentence_is_removed(embedder):
    checked = check_answer("Codex solves 28.8% of HumanEval problems [1][2].", PASSAGES, embedder, 0.45)
    assert checked.text == "Codex solves 28.8% of HumanEval problems [1]."
    assert [c.doc_id for c in checked.citations] == ["codex"]
    assert any("removed citation [1]" in n for n in checked.notes)


def test_a_generated_sentence_citing_a_passage_another_states_far_more_closely_loses_that_citation(embedder):
    stability = passage("stability", "We then introduce simple modifications to a learned optimizer's architecture and "
                        "meta-training procedure which lead to improved stability.")
    biasing = passage("in-context", "Finally, we propose practical interventions such as biasing the training distribution "
                      "that improve the meta-training and meta-generalization of general-purpose learning algorithms.")
    claim = "They suggested biasing the training distribution to improve the meta-training and meta-generalization"
    miscited = check_answer(f"{claim} [1].", [stability, biasing], embedder, threshold=0.45)
    assert miscited.refused and any(n.startswith("removed citation [1]") and "passage [2] states it more closely" in n
                                    for n in miscited.notes)
    assert check_answer(f"{claim} [1].", [stability, biasing], embedder, 0.45, generative=False).citations[0].doc_id \
        == "stability"  # the composer quotes its passage verbatim: not checked this way
    right = check_answer(f"{claim} [2].", [stability, biasing], embedder, threshold=0.45)
    assert [c.doc_id for c in right.citations] == ["in-context"] and right.text == f"{claim} [1]."


def test_unsupported_sentences_are_dropped_and_uncited_supported_ones_get_a_citation(embedder):
    raw = "Bananas are blue [1]. GPT-4o is 50% cheaper in the API. Penguins can fly."
    checked = check_answer(raw, PASSAGES, embedder, 0.45)
    assert checked.text == "GPT-4o is 50% cheaper in the API [1]."
    assert checked.citations[0].doc_id == "gpt4o"


def test_nothing_supported_or_the_fixed_phrase_means_refused(embedder):
    assert check_answer("Bananas are blue [1].", PASSAGES, embedder, 0.45).refused
    refusal = check_answer(f"Sorry. {CANNOT_ANSWER}", PASSAGES, embedder, 0.45)
    assert refusal.refused and refusal.text == CANNOT_ANSWER and refusal.citations == []
    assert is_refusal("the corpus does NOT contain an answer to this question")
    assert check_answer("", PASSAGES, embedder, 0.45).refused


def test_only_a_model_refuses_by_the_phrase_and_a_quoted_source_is_no_refusal(embedder):
    from rag.answers.citations import inert_markers, model_refused

    holding = [passage("odd", f"Some paper writes: {CANNOT_ANSWER} It also measures 232 milliseconds.")]
    assert model_refused(CANNOT_ANSWER, holding)  # nothing but the phrase: the model refused
    assert not model_refused(f"Some paper writes: {CANNOT_ANSWER} [1]", holding)  # a quote is not
    assert model_refused(f"Sorry. {CANNOT_ANSWER}", PASSAGES)  # no source holds it: the model's own
    quoted = check_answer(f"Some paper writes: {CANNOT_ANSWER} [1]", holding, embedder, 0.45, generative=False)
    assert not quoted.refused
    assert inert_markers("as in [3, 4] and [1]; see [a]") == "as in (3, 4) and (1); see [a]"


def test_the_embedding_cache_keeps_no_long_text_and_a_bounded_total(embedder, monkeypatch):
    embedder.clear_cache()
    embedder.encode_cached(["word " * 1000])  # 5,000 characters: embedded, not kept
    assert len(embedder._cache.vectors) == 0
    monkeypatch.setattr(embedder._cache, "chars", 2_000)
    embedder.encode_cached([f"question number {n} " * 10 for n in range(40)])  # ~200 characters each
    kept = embedder._cache.vectors
    assert 0 < embedder._cache.held <= 2_000 and len(kept) <= 10
    assert embedder._cache.held == sum(len(t) for t in kept)
    embedder.encode_cached(["a sentence of an abstract"], corpus=True)
    embedder.clear_cache()
    assert not embedder._cache.vectors and "a sentence of an abstract" in embedder._corpus.vectors
    embedder.clear_cache(corpus=True)
    assert not embedder._corpus.vectors


def test_an_answer_restates_its_question_unless_it_adds_a_word_a_name_or_a_number():
    question = "Is there a language model that looks up passages from a database while it writes?"
    assert restates_question(question, "Yes, there is a language model that looks up passages [1].", 1)
    assert restates_question(question, "A language model looks up passages from a database [1][2].", 1)
    assert not restates_question(question, "Yes: RETRO looks up passages from a database [1].", 1)  # a name
    assert not restates_question(question, "Yes, it looks up passages in chunks [1].", 1)  # a word
    assert restates_question(question, "Yes, it looks up passages in chunks [1].", 2)
    assert not restates_question(question, "Yes, with 2 trillion tokens [1].", 3)  # a number


def test_an_answer_to_a_question_asking_for_a_name_must_name_something_the_question_does_not():
    question = "What is the name of the evaluation set the Codex paper releases?"
    assert names_nothing(question, "The Codex paper releases a new evaluation set [1].")
    assert not names_nothing(question, "It is HumanEval, a new evaluation set [1].")
    assert not names_nothing(question, "Codex solves 28.8% of its problems [1].")  # a number says something
    assert names_nothing("Which benchmarks was seq2slate evaluated on?", "Yes, seq2slate was evaluated on benchmarks.")
    assert not names_nothing("What did the Codex paper release?", "The Codex paper releases a new evaluation set [1].")
