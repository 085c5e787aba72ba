"""A readable name for every paper."""

import pytest

from rag.corpus.labels import paper_label

from ..conftest import find_paper


@pytest.mark.parametrize("phrase, name", [
    ("280 billion parameter model called Gopher", "Gopher"),
    ("we introduce GAN-TTS", "GAN-TTS"),
    ("We call networks with these changes Sparse Transformers", "Sparse Transformers"),
    ("We introduce Codex", "Codex"),
    ("compute-optimal model, \\chinchilla,", "Chinchilla"),
    ("GPT-4o is an autoregressive omni model", "GPT-4o"),
    ("OpenAI Five became the first AI system", "OpenAI Five"),
    ("our Retrieval-Enhanced Transformer (RETRO)", "Retrieval-Enhanced Transformer (RETRO)"),
])
def test_untitled_papers_are_named_after_their_model(papers, phrase, name):
    paper = find_paper(papers, phrase)
    assert paper.title_derived
    assert paper_label(None, paper.abstract) == (name, True)


def test_titles_win_and_unnamed_papers_fall_back_to_their_first_words(papers):
    titled = find_paper(papers, "We report the development of GPT-4")
    assert paper_label(titled.title, titled.abstract) == ("GPT-4 Technical Report", True)
    unnamed = find_paper(papers, "ingests gradients and outputs parameter updates")
    label, named = paper_label(None, unnamed.abstract)
    assert not named and label.startswith("While deep learning models have replaced")


def test_answers_and_citations_carry_the_label(settings):
    from rag import ask

    answer = ask("How many parameters does GPT-3 have?", settings=settings)
    assert answer.citations[0].label == "GPT-3" and answer.citations[0].named
    assert answer.text.startswith("GPT-3: ")
