"""Follow-up questions: the rule-based rewrite and the check a model's rewrite must pass."""

from rag.retrieval.conversation import resolves_follow_up, standalone_query

PREVIOUS = "What does GPT-4o accept as input?"


def test_a_follow_up_is_joined_to_the_previous_question_and_a_new_question_is_not():
    history = [{"role": "user", "content": PREVIOUS}]
    assert standalone_query("How fast does it respond?", history) == f"{PREVIOUS} How fast does it respond?"
    assert standalone_query("Which papers study scaling laws?", history) == "Which papers study scaling laws?"


def test_a_rewrite_must_keep_the_follow_up_and_name_what_it_referred_to():
    assert resolves_follow_up("How fast does GPT-4o respond?", "How fast does it respond?", PREVIOUS)
    assert not resolves_follow_up("How fast does it respond?", "How fast does it respond?", PREVIOUS)  # resolves nothing
    assert not resolves_follow_up("What does GPT-4o accept?", "How fast does it respond?", PREVIOUS)  # drops "fast"
