"""Reading a question: its kind, what it names and what it measures (dev-half examples)."""

import pytest

from rag.retrieval.questions import is_question, read_question, wants_number


@pytest.mark.parametrize("text, kind", [
    ("How many parameters does GPT-3 have?", "quantity"),
    ("What fraction of HumanEval problems does Codex solve with a single sample?", "quantity"),
    ("Chinchilla MMLU accuracy?", "quantity"),
    ("Which papers report experiments on CIFAR-10?", "list"),
    ("list the papers that introduce a model from OpenAI's GPT family", "list"),
    ("Which papers compare against AI21's Jurassic-1 model?", "list"),
    ("How large is Gopher compared with GPT-3?", "comparison"),
    ("How were the precipitation nowcasting model and the GAN video-prediction model each evaluated?", "comparison"),
    ("Which model predicts rain from radar?", "which"),
    ("What did the Chinchilla paper find about compute-optimal training?", "finding"),
    ("What is precipitation nowcasting?", "definition"),
    ("Does 16-bit Flexpoint training require retuning model hyperparameters?", "yesno"),
    ("How does word error rate change as training data grows?", "general"),
    ("Chinchilla compute-optimal", "finding"),
    ("Which datasets did the softmax temperature study use for its experiments?", "which"),  # one paper's things
    ("Which datasets were used by the papers on learned optimizers?", "list"),
    ("What datasets did Sparse Transformers set a new state of the art on?", "which"),  # a named paper's things
    ("In the softmax-temperature study, how much does generalization depend on the logit magnitude?", "general"),
    ("How much compute went into meta-training VeLO?", "quantity"),
    ("What gap in how deep learning models are trained did VeLO address?", "general"),  # "how deep learning": no depth
    ("How deep is the Sparse Transformer?", "quantity"),
    ("What truncation length did PES use?", "quantity"),
    ("The estimator cuts the unroll into segments and updates after each segment: what benefits does it claim?",
     "finding"),  # "each" of a step, not of the sides of a comparison
    ("Any work that talks about memorization?", "list"),
    ("Studies that train on TPUs?", "list"),
    ("Please summarise the Backprop Evolution paper.", "summary"),
    ("Could you give me a quick overview of GTrXL?", "summary"),  # not a yes/no question
    ("Give me an overview of GTrXL.", "summary"),
    ("What were the headline results of the Sparse Transformers paper?", "summary"),
    ("What is the seq2slate abstract about?", "summary"),
    ("tl;dr for the video prediction paper", "summary"),
    ("Which papers summarize scaling laws?", "list"),  # a list first
    ("Describe how Chinchilla differs from Gopher.", "comparison"),  # a comparison first
    ("Explain how many parameters GPT-3 has.", "quantity"),  # a quantity first
    ("What is Flexpoint?", "definition"),
    ("What is the main finding about scaling laws?", "finding"),  # not a definition of "main finding"
    ("How do Sparse Transformers work?", "summary"),
    ("Tell me more about the first paper.", "summary"),
    ("What are some papers about language models?", "list"),  # not a definition of "some papers"
    ("How does scaling model size work in practice for large batches?", "general"),
    ("How far ahead does the nowcasting model forecast rain?", "quantity"),
    ("By what factor did NRES cut the wall-clock time to convergence?", "quantity"),
    ("Before GTrXL, how far had the transformers of NLP got in reinforcement learning?", "general"),  # progress
])
def test_the_kind_of_answer_a_question_asks_for(text, kind):
    assert read_question(text).kind == kind


def test_what_a_question_names_counts_and_frames():
    question = read_question("How many GPUs did OpenAI Five's distributed training system use?")
    assert question.measured == ["gpus"] and question.counts is True
    assert read_question("Against how many competing methods was it ranked?").measured == ["compet", "method"]
    assert "OpenAI Five" in question.sides
    assert "which" not in question.terms and "papers" not in read_question("Which papers study GANs?").terms
    sides = read_question("Backprop Evolution and Neural Optimizer Search both discover update equations. "
                          "What search procedure does each use?").sides
    assert sides[:2] == ["Backprop Evolution", "Neural Optimizer Search"]
    assert wants_number(read_question("When did OpenAI Five beat the Dota 2 world champions?"))
    assert not is_question("GAN-TTS DeepSpeech Distance") and is_question("what is GAN-TTS")


def test_a_list_question_asking_for_mentions_gives_what_is_to_be_mentioned():
    assert read_question("Which papers report experiments on CIFAR-10?").literal == [["cifar10"]]
    assert read_question("Which papers mention GPT-3 by name?").literal == [["gpt3"]]  # not "gpt" and "3" apart
    assert read_question("Which abstracts mention specific hardware such as GPUs or TPUs?").literal[-2:] == [["gpu"], ["tpu"]]
    assert read_question("Which abstracts mention machine translation?").literal == [["machin", "translat"]]
    assert read_question("Which papers study scaling laws for language models?").literal == []  # topical, not literal
    assert read_question("How many parameters does GPT-3 have?").literal == []  # not a list


def test_a_name_is_mentioned_however_its_parts_are_joined():
    from rag.retrieval.mentions import mention_words

    for spelling in ("trained on CIFAR-10.", "trained on CIFAR10.", "trained on CIFAR 10."):
        assert "cifar10" in mention_words(spelling), spelling
    assert read_question("Which papers build on policy-gradient methods by name?").literal[0] == ["policigradient"]
    assert "policigradient" in mention_words("the parameters are learnt with a policy gradient method")
    assert "cifar10" not in mention_words("trained on CIFAR-100 only")


def test_a_name_spoken_of_as_the_paper_comes_first():
    question = read_question("What share of HumanEval problems did GPT-3 solve, according to the Codex paper?")
    assert question.sides[0] == "Codex" and question.names[0] == "HumanEval"
    assert read_question("In the Chinchilla paper's comparison, how large is Jurassic-1?").sides[0] == "Chinchilla"
    assert read_question("How large is Gopher compared with GPT-3?").sides == ["Gopher", "GPT-3"]  # a comparison keeps its order


def test_what_a_quantity_counts_ends_at_a_slash():
    assert read_question("how many parameters / hidden units does the VeLO network have").measured == ["paramet"]


def test_what_a_which_question_asks_for_besides_the_papers_own_work():
    from rag.retrieval.questions import asks_for_a_thing

    def thing(text):
        return asks_for_a_thing(read_question(text))

    assert thing("Which GPU model was the Winograd convolution benchmarked on?") == {"gpu"}
    assert thing("Which deep learning frameworks does the TPU report name?") == {"deep", "learn", "framework"}
    assert thing("Which model predicts rain from radar?") == set()
    assert thing("Which optimiser wins on speech recognition benchmarks?") == set()  # British spelling too
    assert thing("Which paper saves memory by recomputing attention matrices?") == set()


def test_a_summary_request_names_its_paper_not_the_words_of_asking():
    question = read_question("TL;DR of Gopher")
    assert question.kind == "summary" and question.sides == ["Gopher"]


def test_main_and_key_frame_what_is_asked_for_not_what_it_is_about():
    assert read_question("What is the main finding about scaling laws?").terms == ["scale", "law"]


def test_what_a_follow_up_asks_for_is_read_after_its_leading_and():
    assert read_question("And what learning rate did they use?").asked == read_question(
        "What learning rate did they use?").asked == ["learn", "rate"]
    assert read_question("Who developed OpenAI Five?").asked == ["author"]


def test_a_question_that_first_describes_its_paper_is_read_for_what_its_last_sentence_asks():
    question = read_question("There was a 16-bit number format whose tensors share an exponent. "
                             "Which networks did they train with it?")
    assert question.kind == "which" and question.asked == ["network"]
    assert "There" not in question.sides


def test_a_description_ending_in_a_colon_is_followed_by_what_the_question_asks():
    from rag.retrieval.questions import last_sentence

    text = "That number format whose tensors share one re-tuned exponent: what did it say was still hard?"
    assert last_sentence(text) == "what did it say was still hard?"
    assert last_sentence("Compare two things: GPT-3 and Gopher.") == "Compare two things: GPT-3 and Gopher."
    assert last_sentence("that method which cuts an unroll into truncations -- what tasks was it compared on?") \
        == "what tasks was it compared on?"
    assert last_sentence("GPT-4o -- the omni model -- is fast.") == "GPT-4o -- the omni model -- is fast."


def test_a_comparison_set_up_in_a_first_sentence_stays_a_comparison():
    question = read_question("Sparse Transformers and RETRO both change attention. What does each change?")
    assert question.kind == "comparison"


def test_the_word_i_is_not_a_name():
    assert read_question("I remember a paper on learned optimizers. What did it find?").sides == []


def test_which_things_a_paper_uses_to_score_something_is_not_a_quantity():
    question = read_question("Apart from human ratings, which metrics did the GAN-TTS authors propose to score the audio?")
    assert question.kind != "quantity"
    assert read_question("What score did GPT-4 get on the bar exam?").kind == "quantity"
