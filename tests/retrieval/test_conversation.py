"""Follow-up questions: the rule-based rewrite and the check a model's rewrite must pass."""

from rag.retrieval.conversation import resolves_follow_up, standalone_query

PREVIOUS = "What does GPT-4o accept as input?"


def test_a_follow_up_is_joined_to_the_previous_question_and_a_new_question_is_not():
    history = [{"role": "user", "content": PREVIOUS}]
    assert standalone_query("How fast does it respond?", history) == f"{PREVIOUS} How fast does it respond?"
    assert standalone_query("Which papers study scaling laws?", history) == "Which papers study scaling laws?"


def test_it_and_its_become_the_one_paper_the_previous_question_names():
    history = [{"role": "user", "content": "What is Chinchilla?"}]
    paper = {"Chinchilla", "Gopher"}.__contains__
    assert standalone_query("How many parameters does it have?", history, paper) == \
        "How many parameters does Chinchilla have?"
    assert standalone_query("What is its MMLU score?", history, paper) == "What is Chinchilla's MMLU score?"
    assert standalone_query("What did they find about it?", history, paper) == \
        "What is Chinchilla? What did they find about it?"  # "they" is left: joined, as before
    assert standalone_query("How many parameters does it have?", history, lambda name: False) == \
        "What is Chinchilla? How many parameters does it have?"  # not a paper's name
    assert standalone_query("Is it true that it beats Gopher?", history, paper) == \
        "What is Chinchilla? Is it true that it beats Gopher?"  # an "it" that is no paper: joined
    both = [{"role": "user", "content": "How does Chinchilla compare with Gopher?"}]
    assert standalone_query("How big is it?", both, paper) == "How does Chinchilla compare with Gopher? How big is it?"


def test_a_rewrite_must_keep_the_follow_up_and_name_what_it_referred_to():
    assert resolves_follow_up("How fast does GPT-4o respond?", "How fast does it respond?", PREVIOUS)
    assert not resolves_follow_up("How fast does it respond?", "How fast does it respond?", PREVIOUS)  # resolves nothing
    assert not resolves_follow_up("What does GPT-4o accept?", "How fast does it respond?", PREVIOUS)  # drops "fast"


def test_a_follow_up_of_a_follow_up_leans_on_the_question_both_follow():
    history = [{"role": "user", "content": PREVIOUS}, {"role": "user", "content": "How fast does it respond?"}]
    query = standalone_query("And what does it cost?", history)
    assert query == f"{PREVIOUS} How fast does it respond? And what does it cost?"
    assert standalone_query("And what does it cost?", history[1:]) == "How fast does it respond? And what does it cost?"


def test_the_second_one_is_the_second_line_of_the_latest_answer_that_has_one():
    listing = "NRES: We propose unbiased online evolution strategies [1].\nPES: We introduce PES, which divides [2]."
    history = [{"role": "user", "content": "Which papers use evolution strategies?"},
               {"role": "assistant", "content": listing},
               {"role": "user", "content": "Which of them is unbiased?"},
               {"role": "assistant", "content": "NRES: We propose unbiased online evolution strategies [1]."}]
    assert standalone_query("Summarize the second one.", history) == \
        "PES: We introduce PES, which divides. Summarize the second one."
    assert standalone_query("Tell me about the last paper.", history[:2]).startswith("PES: We introduce PES")
    assert standalone_query("Tell me about the fifth paper.", history) == (  # no answer has five lines
        "Which papers use evolution strategies? Which of them is unbiased? Tell me about the fifth paper.")
