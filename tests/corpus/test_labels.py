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


def test_titles_win_over_what_the_abstract_says(papers):
    titled = find_paper(papers, "We report the development of GPT-4")
    assert paper_label(titled.title, titled.abstract) == ("GPT-4 Technical Report", True)


@pytest.mark.parametrize("phrase, label", [
    # "We study empirical scaling laws for ... loss." (the whole object, no ellipsis)
    ("We study empirical scaling laws for language model performance",
     "Empirical scaling laws for language model performance on the cross-entropy loss"),
    # "... in four domains: generative image modeling, ..." is cut at the colon
    ("We identify empirical scaling laws for the cross-entropy loss in four domains",
     "Empirical scaling laws for the cross-entropy loss in four domains"),
    # "we develop a theory ... and show that ..." is cut before "and show"
    ("we develop a theory of early learning", "A theory of early learning for models trained with softmax-cross-entropy loss"),
    # "we show that X ...": the claim, cut before a preposition when longer than twelve words
    ("In this report we argue that TPUs", "TPUs are particularly well suited for training RL agents"),
    # "we propose adapting ... to these many-minima problems" refers back: the next sentence
    ("We focus on problems from atomic structural optimization", "Problems from atomic structural optimization"),
])
def test_unnamed_papers_are_labelled_by_what_they_contribute(papers, phrase, label):
    paper = find_paper(papers, phrase)
    assert paper.title_derived
    assert paper_label(None, paper.abstract) == (label, False)


def test_a_paper_saying_no_contribution_of_its_own_is_labelled_by_its_first_words(papers):
    # its only "We describe" sentence speaks of "this task": unreadable without the sentence before
    paper = find_paper(papers, "We describe a simple approach for this task")
    label, named = paper_label(None, paper.abstract)
    assert not named and label.startswith("Text-to-image generation has traditionally focused") and label.endswith("…")


def test_answers_and_citations_carry_the_label(settings):
    from rag import ask

    answer = ask("How many parameters does GPT-3 have?", settings=settings)
    assert answer.citations[0].label == "GPT-3" and answer.citations[0].named
    assert answer.text.startswith("GPT-3: ")
