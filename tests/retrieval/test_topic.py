"""A list question whose topic word no abstract holds is refused (rag/retrieval/topic.py)."""

import pytest

from rag import ask
from rag.retrieval.topic import absent_topic_words


@pytest.mark.parametrize("question, absent", [
    ("Which papers use diffusion models for image generation?", ["diffusion"]),
    ("Which papers propose methods for protein structure prediction?", ["protein"]),
    # words the corpus does not use that carry no topic: a verb, an adjective, a word inside an example
    ("Which abstracts claim that their method works without any hyperparameter tuning?", []),
    ("Which papers stress low latency of a model's predictions?", []),
    ("Which papers make training cheaper, e.g. with protein folding tricks?", []),
])
def test_only_words_that_carry_the_topic_and_no_abstract_holds_are_absent_topic_words(engine, settings, question,
                                                                                        absent):
    found = absent_topic_words(question, engine.lexical, engine.embedder,
                               settings.retrieval.absent_topic_similarity)
    assert found == absent


def test_a_list_question_about_a_topic_no_abstract_names_is_refused_with_the_word_and_the_closest_papers(settings):
    answer = ask("Which papers use diffusion models for image generation?", settings=settings)
    assert answer.refused and answer.closest and "the corpus never mentions diffusion" in answer.notes
    off = settings.model_copy(update={"retrieval": settings.retrieval.model_copy(
        update={"absent_topic_similarity": -1})})
    assert not ask("Which papers use diffusion models for image generation?", settings=off).refused
