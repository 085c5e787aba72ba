"""Refusing what the abstracts do not state, and saying what they do hold."""

import pytest

from rag import CANNOT_ANSWER, ask


@pytest.mark.parametrize("question, explanation", [
    ("What learning rate was used to train Chinchilla?", "The abstracts mention Chinchilla but not its learning rate."),
    ("What is the context window of GPT-4o?", "The abstracts mention GPT-4o but not its context window."),
    ("How many speakers were in the GAN-TTS training data?",
     "The abstracts mention GAN-TTS but not its number of speakers."),
    ("How many parameters does GPT-4o have?", "The abstracts mention GPT-4o but not its number of parameters."),
    ("Which paper reports that its learned optimizer uses 50% less memory than Adam?", "50"),
    ("How does the Decision Transformer cast offline reinforcement learning as sequence modeling?",
     "The abstracts do not mention Decision Transformer."),
    ("How many parameters / hidden units does the VeLO learned optimizer network have?",
     'The abstracts mention the paper on "An optimizer for deep learning" but not its parameters.'),  # its label
    ("How many layers does the zero-shot text-to-image transformer have?",  # labelled by its first words
     'The abstracts mention the paper that begins "Text-to-image generation has traditionally focused on…" '
     "but not its number of layers."),
    ("How many GPUs were used to train the text-to-image transformer that models text and image tokens as a "
     "single stream?", "but not its number of GPUs."),  # the question's own casing
    ("Does the BFGS-inspired learned optimizer beat Adam when training ImageNet classifiers?", "in this connection."),
    ("Which standard ranking benchmark datasets was seq2slate evaluated on?",
     "but do not name its standard ranking benchmark datasets."),
    ("On which dataset were the update equations found by Backprop Evolution tested?",  # no dataset word, no name
     "The abstracts mention Backprop Evolution but do not name its dataset."),
    ("Which study finds that learned optimizers reduce the carbon footprint of weather forecasting?",
     'which does not mention "carbon", "footprint" or "weather".'),  # the rarest missing words, as written
    ("Which reinforcement learning environments show Noise-Reuse Evolution Strategies converging faster than AD and "
     "ES?", "but do not name its reinforcement learning environments."),  # AD, ES are methods the question names
    ("Which non-English languages does the GPT-4o card say improved most over GPT-4 Turbo?",  # "English", "API":
     "The abstracts mention GPT-4o but do not name its non-English languages."),  # written by the question, generic
    ("By what factor is NRES faster than ES in wall-clock time?",  # "faster convergence", no factor
     "The abstracts mention Noise-Reuse Evolution Strategies (NRES) but not the number asked for."),
    ("Which paper finds that smaller models are more sample-efficient?",  # the abstract: "Larger models are ..."
     'says otherwise: "Larger models are significantly more sample-efficient'),
    ("Which paper measures the water consumption of training GPT-3?",  # any verb of a claim, not only "finds"
     'No abstract makes that claim; the closest is GPT-3, which does not mention "water" or "consumption".'),
    ("How many different language models were trained for the Chinchilla study?",  # "over \nummodels language
     "The abstracts mention Chinchilla but not its number of different language models."),  # models": no count
    ("What truncation length did Persistent Evolution Strategies use for its unrolls?",  # "truncated unrolls": no length
     "The abstracts mention Persistent Evolution Strategies (PES) but not its truncation length."),
    ("When did Chinchilla come out?", "The abstracts mention Chinchilla but not when it came out."),
    ("What temperature was used for sampling from Codex?", "The abstracts mention Codex but not its temperature."),
    ("How many bits wide is a 16-bit Flexpoint tensor's exponent?",  # its own "16-bit" is no answer
     "The abstracts mention Flexpoint but not its number of bits wide."),
    ("How much faster than GPT-4 Turbo is GPT-4o?", "The abstracts mention GPT-4o but not how much faster."),  # "much faster"
    ("How much less compute does Chinchilla need for inference?",  # "substantially less compute"
     "The abstracts mention Chinchilla but not how much less compute."),
    ("Which paper shows GPT-4 beating human professionals in most everyday situations?",
     "the closest is GPT-4 Technical Report, which does not say it beats or outperforms anything."),  # it says "less capable than humans in many real-world scenarios"
])
def test_near_misses_are_refused_saying_what_is_missing(settings, question, explanation):
    answer = ask(question, settings=settings)
    assert answer.refused and not answer.citations
    assert answer.text.startswith(CANNOT_ANSWER) and explanation in answer.text
    similarities = [p.similarity for p in answer.closest]
    assert similarities == sorted(similarities, reverse=True)  # the closest papers, best first ...
    assert len({p.doc_id for p in answer.closest}) == len(answer.closest)  # ... each once


@pytest.mark.parametrize("question", [
    "How many parameters does GPT-3 have?",
    "How do the Chinchilla findings differ from the earlier scaling laws?",
    "Which papers report experiments on CIFAR-10?",
    "How fast does GPT-4o respond to audio inputs?",
    "What Frechet Video Distance does the GAN video prediction model get on Kinetics-600?",
    "A meta-learned optimizer for energy landscapes of two-metal nanoclusters: did it work on unseen problems?",
    "What retriever does RETRO use to fetch neighbouring chunks?",  # "a frozen Bert retriever" names one
    "Was Chinchilla given a bigger compute budget than Gopher?",  # a yes/no question whose paper names both
    "Which paper saves memory in a long-sequence transformer by recomputing the attention matrices?",  # asks for a paper
    "Which deep learning frameworks does the TPU reinforcement-learning report name?",
    "On which benchmark suite does GTrXL reach state-of-the-art results?",  # "DMLab-30 benchmark suite"
    "Which dataset did the softmax early-learning study use?",  # "trained on CIFAR10, ImageNet": no "dataset" word
    "Against how many competing methods did the Met Office forecasters rank the generative nowcasting model?",
    "Which paper shows OpenAI Five beating the Dota 2 world champions?",  # "defeat" says it outperforms
    "Which study reports a transformer RL agent that outperforms an agent with external memory?",
    "How much cheaper than GPT-4 Turbo is GPT-4o in the API?",  # "50% cheaper"
    "How many digits does GPT-3's few-shot arithmetic go up to?",  # "3-digit arithmetic"
    "How many evaluation tasks was Gopher tested on?",  # Gopher's own abstract, not Chinchilla's that names it
    "The scaling-law study of images, video and math reads the loss information-theoretically: which two "
    "quantities can its trends estimate?",  # "which two" asks for two things, it claims no number 2
    "Which abstract predicts GPT-4's performance from much smaller training runs?",  # a claim it makes
    "Which paper finds that larger models are more sample-efficient?",  # as the abstract says it
    "How many hyperparameters is the softmax function defined by, according to the softmax temperature study?",
    # "defined by a lone hyperparameter": one
    "Which abstract compares language models of 280B and 178B parameters?",  # "Gopher (280B), Jurassic-1 (178B)"
    "How does the Sparse Transformers paper handle images, audio and text so that one network can model all "
    "three?",  # "all three" stands for the three it named: no number 3 claimed
])
def test_what_the_abstracts_state_is_answered(settings, question):
    answer = ask(question, settings=settings)
    assert not answer.refused and answer.citations, answer.notes


def test_a_claim_the_abstract_makes_in_other_words_is_answered(settings):
    question = ("Which paper reports a model matching GPT-4 Turbo on English and coding while doing clearly "
                "better in other languages?")  # the abstract: "matches ... significant improvement ... non-English"
    answer = ask(question, settings=settings)
    assert not answer.refused and answer.citations and "GPT-4 Turbo" in answer.text
    words_only = settings.model_copy(update={"retrieval": settings.retrieval.model_copy(
        update={"claim_paraphrase_similarity": 1.01})})  # the check off: word coverage alone refuses it
    refused = ask(question, settings=words_only)
    assert refused.refused and "No abstract makes that claim" in refused.text


def test_a_number_word_standing_for_things_the_question_named_is_no_claim():
    from rag.retrieval.quantities import numbers_claimed

    assert numbers_claimed("How were images, audio and text modelled by one network, all three?") == set()
    assert numbers_claimed("Does it use all three datasets?") == {"3"}  # three datasets: a claim to check


def test_a_number_word_in_a_compound_states_a_number_only_with_a_unit():
    from rag.retrieval.quantities import stated_numbers

    assert stated_numbers("Gopher (280B), 1.5M steps, GPT-3, 2D graphs") == {"280", "1.5"}  # no 28 from 280B
    assert stated_numbers("two-metal clusters") == set()
    assert stated_numbers("at six-hour lead times, ten times faster") == {"6", "10"}


def test_an_owner_of_a_plain_word_is_still_an_unknown_name():
    from rag.corpus.names import unknown_terms, vocabulary

    known = vocabulary(["Jurassic-1 and GPT-3 in the few-shot setting"])
    assert unknown_terms("How does BLOOM's few-shot performance compare with GPT-3's?", known) == ["BLOOM"]
    assert unknown_terms("Which papers compare against AI21's Jurassic-1 model?", known) == []


def test_a_capitalised_name_the_corpus_never_mentions_is_unknown_unless_cited_as_authors():
    from rag.corpus.names import unknown_terms, vocabulary

    known = vocabulary(["Sparse Transformers factorize attention; we compare with Adam.",
                        "We study empirical scaling laws for language models."])
    assert unknown_terms("How does Longformer's sliding-window attention compare with Sparse Transformers?",
                         known) == ["Longformer"]
    assert unknown_terms("Will it rain in London tomorrow?", known) == ["London"]
    assert unknown_terms("How does the Adam optimizer compare?", known) == []  # a name the corpus holds
    assert unknown_terms("Dropout: which papers use it?", known) == []  # a sentence's first word: no name
    assert unknown_terms("What do the scaling laws of Kaplan et al. say?", known) == []  # authors, cited


def test_a_question_about_a_model_the_corpus_never_mentions_is_refused_naming_it(settings):
    answer = ask("How does Longformer's sliding-window attention compare with the factorized attention of "
                 "Sparse Transformers?", settings=settings)
    assert answer.refused and not answer.citations
    assert "the corpus never mentions Longformer" in answer.notes
