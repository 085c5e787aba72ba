"""Candidate sentences and what their scores weigh."""

from rag.answers.asking import asked_clause


def test_the_asking_clause_is_the_last_sentence_from_its_question_word():
    assert asked_clause("I remember an optimizer modelled on BFGS. What was it tested on?") == "What was it tested on?"
    assert asked_clause("In the work where a network orders cities, what did they compare?") == "what did they compare?"
    assert asked_clause("Does it work, and does it also work for packing?") == "does it also work for packing?"
    assert asked_clause("How large is Gopher compared with GPT-3?") == "How large is Gopher compared with GPT-3?"
    assert asked_clause("In the work on in-context learners, between which algorithms did they see phase transitions?") \
        == "between which algorithms did they see phase transitions?"  # a preposition before the question word



def test_a_sentence_writing_a_name_out_before_it_in_brackets_expands_it():
    from rag.answers.sentences import _expands
    from rag.retrieval.questions import read_question

    question = read_question("What does GTrXL stand for?")
    assert _expands(question, "The proposed architecture, the Gated Transformer-XL (GTrXL), surpasses LSTMs.")
    assert not _expands(question, "GTrXL surpasses LSTMs on challenging memory environments.")
    assert not _expands(read_question("What is GTrXL?"), "the Gated Transformer-XL (GTrXL)")


def test_a_question_asking_why_or_what_was_wrong_before_asks_for_the_motivation():
    from rag.answers.asking import asks_motivation
    from rag.retrieval.questions import read_question

    for text in ("Why does seq2slate model interactions between items?",
                 "What was wrong with the earlier deep learning nowcasting methods?",
                 "What problems do current approaches to optimizing unrolled graphs have?",
                 "What makes online evolution strategies attractive?",
                 "What makes online ES attractive compared with backprop, according to the paper that proposes NRES?",
                 "What problems with current ways of training on unrolled graphs, such as RNNs, does PES set out to fix?",
                 "What made backprop worth searching over, according to Backprop Evolution?",
                 "What was poorly understood about the softmax temperature before this theory?",
                 "What did the paper on learned optimizers' trade-offs say makes them costly to use once trained?",
                 "I remember a paper on fast convolutions. Which applications did they give as reasons why speed matters?"):
        assert asks_motivation(read_question(text)), text
    for text in ("What weaknesses did the Codex authors find in their model?",  # its own work's
                 "What does Chinchilla find about model size?",
                 "How many parameters does GPT-3 have?",
                 "Which study found that a stability-motivated learned optimizer beats the previous best one?",
                 "Why is FFT convolution slow for small filters, and what algorithm do they use instead?",  # the latter
                 "Why is GAN-TTS fast?", "Why does NRES converge faster?",  # why its own work does well
                 "Which papers explain why scaling works?"):  # a list of papers
        assert not asks_motivation(read_question(text)), text
