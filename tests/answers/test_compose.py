"""Extractive answers composed for the kind of question asked (the issue's examples)."""

import re

from rag import ask
from rag.corpus.text import sentences

from ..conftest import find_paper


def test_a_quantity_is_stated_first(settings, papers):
    answer = ask("How many parameters does GPT-3 have?", settings=settings)
    first = answer.text.split(" [1]")[0]
    assert "175 billion parameters" in first
    assert answer.citations[0].doc_id == find_paper(papers, "175 billion parameters").id


def test_a_list_names_each_paper_on_its_own_line_with_its_citation(settings, papers):
    answer = ask("Which papers study scaling laws for language models?", settings=settings)
    lines = answer.text.split("\n")
    assert len(lines) >= 3 and len(lines) == len({c.doc_id for c in answer.citations})
    for line, citation in zip(lines, answer.citations):
        assert line.rstrip(".").endswith(f"[{citation.n}]")
        assert not citation.named or line.startswith(f"{citation.label}: ")
    cited = {c.doc_id for c in answer.citations}
    for phrase in ("We study empirical scaling laws for language model performance", "called Gopher",
                   "optimal model size and number of tokens"):
        assert find_paper(papers, phrase).id in cited


def test_which_model_names_the_papers_own_model_not_its_background(settings):
    answer = ask("Which model predicts rain from radar?", settings=settings)
    assert answer.text.startswith("Deep Generative Model: To address these challenges, we present a Deep Generative")
    assert "Recently introduced deep learning methods" not in answer.text


def test_which_things_a_paper_names_may_come_from_its_background(settings):
    answer = ask("Which deep learning frameworks does the TPU reinforcement-learning report name as letting users "
                 "offload work to accelerators?", settings=settings)
    assert "TensorFlow, PyTorch and JAX" in answer.text.split("\n")[0]


def test_a_comparison_gives_each_side_cited(settings, papers):
    answer = ask("How large is Gopher compared with GPT-3?", settings=settings)
    gopher, gpt3 = find_paper(papers, "called Gopher"), find_paper(papers, "we train GPT-3")
    assert {c.doc_id for c in answer.citations} >= {gopher.id, gpt3.id}
    assert "280 billion" in answer.text and "175 billion" in answer.text
    assert len(answer.text.split("\n")) == 2


def test_what_a_paper_found_is_its_finding_even_outside_the_retrieved_passages(settings):
    answer = ask("What does BIG-bench find about how social bias changes as models get bigger?", settings=settings)
    assert "social bias typically increases with scale" in answer.text
    assert all(c.label.endswith("(BIG-bench)") for c in answer.citations)


def test_a_small_model_reads_fewer_passages_cut_to_exact_spans(settings, engine):
    from rag.answers.compose import focus_passages
    from rag.retrieval.hybrid import HybridRetriever
    from rag.retrieval.questions import read_question

    question = "How many parameters does the largest model in the corpus have?"  # no paper named: several read
    passages = HybridRetriever(engine).retrieve(question, 5)
    focused = focus_passages(read_question(question), passages, engine.embedder, settings.answer, 3, 2)
    assert len(focused) == 3 and "280 billion parameter model called Gopher" in focused[0].text
    for passage in focused:
        assert engine.abstract(passage.doc_id)[passage.start:passage.end] == passage.text
        assert len(sentences(passage.text)) <= 2
    whole = focus_passages(read_question(question), passages, engine.embedder, settings.answer, 0, 0)
    assert {p.passage_id: p.text for p in whole} == {p.passage_id: p.text for p in passages}  # all, uncut


def test_a_small_model_asked_why_about_a_named_paper_reads_that_papers_reasons(settings, engine, papers):
    from rag.answers.compose import focus_passages
    from rag.retrieval.hybrid import HybridRetriever
    from rag.retrieval.questions import read_question

    question = "Why does seq2slate model interactions between items?"
    passages = HybridRetriever(engine).retrieve(question, 5)
    assert len({p.doc_id for p in passages}) > 1
    focused = focus_passages(read_question(question), passages, engine.embedder, settings.answer, 3, 2)
    assert {p.doc_id for p in focused} == {find_paper(papers, "called seq2slate").id}
    assert "taking into account interactions between items" in focused[0].text  # its background, not "we propose"


def test_a_list_of_literal_mentions_cites_exactly_the_papers_that_mention_the_name(settings, papers):
    from rag.corpus.names import mentions

    mentioning = {p.id for p in papers if mentions(p.abstract, "GPT-3") or mentions(p.title, "GPT-3")}
    assert 2 <= len(mentioning) <= 5  # the seed corpus: the list fits in the default k=5
    answer = ask("Which papers mention GPT-3 by name?", settings=settings)
    assert {c.doc_id for c in answer.citations} == mentioning
    assert len(answer.text.split("\n")) == len(mentioning)


def test_a_list_of_literal_mentions_finds_a_name_written_without_its_hyphen(settings, papers):
    written = {p.id for p in papers if re.search(r"CIFAR-?10\b", p.abstract)}
    assert {p.id for p in papers if re.search(r"CIFAR10\b", p.abstract)} and len(written) <= 5  # both spellings occur
    answer = ask("Which papers report experiments on CIFAR-10?", settings=settings)
    assert {c.doc_id for c in answer.citations} == written


def test_a_question_naming_its_paper_is_answered_from_that_paper_alone(settings, papers):
    answer = ask("What weaknesses did the Codex authors find in their model?", settings=settings)
    assert not answer.refused
    assert {c.doc_id for c in answer.citations} == {find_paper(papers, "GitHub Copilot").id}


def test_a_question_asking_which_one_study_compares_things_is_answered_from_one_paper(settings, papers):
    answer = ask("Which study compares ways of decomposing the discriminator for adversarial video prediction?",
                 settings=settings)
    assert not answer.refused
    assert {c.doc_id for c in answer.citations} == {find_paper(papers, "discriminator decompositions").id}


def test_a_papers_own_sentences_are_scored_without_its_name_so_its_name_does_not_pick_the_sentence(settings):
    answer = ask("What weaknesses did the Codex authors find in their model?", settings=settings)
    first = answer.text.split("[")[0]
    assert "limitations" in first and "Copilot" not in first  # not "Codex powers GitHub Copilot"


def test_a_sentence_naming_what_the_question_names_besides_the_paper_is_chosen(settings):
    answer = ask("In the Chinchilla paper's comparison, how many parameters is Jurassic-1 listed with?",
                 settings=settings)
    assert not answer.refused and "Jurassic-1 (178B)" in answer.text.split("\n")[0]


def test_a_which_question_about_what_a_paper_names_quotes_the_sentence_naming_it(settings):
    answer = ask("Which autoregressive model does the GAN-TTS paper name as the state of the art in audio generation?",
                 settings=settings)
    assert "WaveNet" in answer.text.split("[")[0]


def test_an_answer_about_one_paper_adds_another_papers_line_only_when_that_one_scores_clearly_better(settings):
    question = "Is there a language model that retrieves chunks from a database of trillions of tokens?"
    answer = ask(question, settings=settings)
    assert answer.text.startswith("Retrieval-Enhanced Transformer (RETRO)")
    assert len({c.doc_id for c in answer.citations}) == 1
    padded = settings.model_copy(update={"answer": settings.answer.model_copy(update={"second_paper_margin": -2.0})})
    assert len({c.doc_id for c in ask(question, settings=padded).citations}) == 2


def test_another_papers_line_that_fits_the_question_better_comes_first(settings, papers):
    # GPT-3's passages tie with GAN-TTS's in the fused ranking and come first; its best sentence fits far less
    answer = ask("Can a parallel, adversarially trained generator synthesize natural-sounding voices from written "
                 "input without producing one sample at a time?", settings=settings)
    assert answer.text.startswith("GAN-TTS: ")
    assert answer.citations[0].doc_id == find_paper(papers, "we introduce GAN-TTS").id


def test_a_quantity_whose_best_sentence_gives_no_number_also_quotes_its_papers_sentence_with_one(settings):
    answer = ask("How far ahead does the radar-based generative precipitation model produce its nowcasts?",
                 settings=settings)
    assert "5-90 min ahead" in answer.text


def test_the_clause_that_asks_picks_the_sentence_after_a_clause_that_describes_the_paper(settings):
    answer = ask("Can a recurrent network trained from reward solve the travelling salesman problem, and does it "
                 "also work for knapsack problems?", settings=settings)
    assert "KnapSack" in answer.text and "200 items" in answer.text


def test_a_list_names_a_less_similar_paper_that_holds_the_questions_words(settings, papers):
    answer = ask("Which papers design the discriminators of a GAN?", settings=settings)
    cited = {c.doc_id for c in answer.citations}
    assert {find_paper(papers, "ensemble of discriminators").id, find_paper(papers, "discriminator decompositions").id} <= cited


def test_a_summary_gives_where_the_paper_introduces_its_work_then_its_gist_from_that_paper(settings, papers):
    paper = find_paper(papers, "This work presents an approach to discover new variations of the back-propagation")
    answer = ask("Summarize the Backprop Evolution paper.", settings=settings)
    assert not answer.refused and {c.doc_id for c in answer.citations} == {paper.id}
    said = sentences(answer.text.split(": ", 1)[1])  # after the paper's name
    assert 2 <= len(said) <= settings.answer.max_sentences
    assert said[0].startswith("This work presents an approach")  # its contribution, not its background
    offsets = [paper.abstract.index(re.sub(r"\s*\[\d+\]\.?$", "", s).rstrip(".")) for s in said]
    assert offsets == sorted(offsets)  # in reading order


def test_a_summary_request_naming_a_paper_is_answered_whatever_its_words_of_asking(settings, papers):
    answer = ask("Please summarise the RETRO paper.", settings=settings)  # too far from any passage in words
    retro = find_paper(papers, "Retrieval-Enhanced Transformer")
    assert not answer.refused and {c.doc_id for c in answer.citations} == {retro.id}


def test_a_small_model_summarising_reads_only_the_paper_summarised(settings, engine):
    from rag.answers.compose import focus_passages
    from rag.retrieval.hybrid import HybridRetriever
    from rag.retrieval.questions import read_question

    question = read_question("Tell me about Chinchilla.")
    passages = HybridRetriever(engine).retrieve("Chinchilla Gopher GPT-3", 5)
    assert len({p.doc_id for p in passages}) > 1
    focused = focus_passages(question, passages, engine.embedder, settings.answer, 3, 2)
    assert focused and {p.label for p in focused} == {"Chinchilla"}


def test_what_a_name_stands_for_is_answered_with_the_sentence_writing_it_out(settings, papers):
    answer = ask("What does PES stand for?", settings=settings)  # too short to reach the relevance threshold
    assert not answer.refused
    assert "Persistent Evolution Strategies (PES)" in answer.text.split(" [1]")[0]
    assert {c.doc_id for c in answer.citations} == {find_paper(papers, "Persistent Evolution Strategies (PES)").id}



def test_asking_what_a_described_paper_was_tested_on_quotes_the_sentence_saying_so_first(settings, papers):
    answer = ask("I remember a re-ranking model that picks items one at a time with a recurrent net. "
                 "What was it tested on?", settings=settings)
    assert "standard ranking benchmarks" in answer.text.split("[1]")[0]
    assert {c.doc_id for c in answer.citations} == {find_paper(papers, "standard ranking benchmarks").id}


def test_asking_which_things_a_described_paper_trained_quotes_the_sentence_listing_them_first(settings):
    answer = ask("I read about a number format for training whose tensors share one exponent. "
                 "Which networks did they train with it?", settings=settings)
    assert "AlexNet, a deep residual network and a generative adversarial network" in answer.text.split("[1]")[0]


def test_what_the_paper_a_question_describes_compares_is_answered_from_that_paper_alone(settings, papers):
    answer = ask("In the paper that trains a pointer network with reinforcement learning for the travelling "
                 "salesman problem, which two training setups do the authors compare?", settings=settings)
    assert {c.doc_id for c in answer.citations} == {find_paper(papers, "individual test graphs").id}
    assert "set of training graphs against learning them on individual test graphs" in answer.text


def test_what_a_papers_own_model_is_answered_with_where_the_paper_introduces_it(settings, papers):
    answer = ask("What is RETRO?", settings=settings)
    assert "We enhance auto-regressive language models by conditioning on document chunks" in answer.text.split("[1]")[0]
    assert {c.doc_id for c in answer.citations} == {find_paper(papers, "We enhance auto-regressive").id}


def test_a_papers_comparison_with_a_baseline_it_names_is_answered_from_that_paper_alone(settings, papers):
    answer = ask("How does GTrXL compare against LSTM agents on memory environments?", settings=settings)
    assert {c.doc_id for c in answer.citations} == {find_paper(papers, "Gated Transformer-XL").id}
    assert "surpasses LSTMs" in answer.text
    both = ask("How does Chinchilla compare with Gopher?", settings=settings)  # two papers of the corpus
    assert len({c.doc_id for c in both.citations}) == 2
    # LPO and DPO are two names of one paper's own work, not what it compares with: the other side is another paper
    aliases = ask("How does the paper on LPO and DPO differ from the general-purpose in-context learning paper?",
                  settings=settings)
    assert len({c.doc_id for c in aliases.citations}) == 2


def test_a_question_asking_what_was_wrong_before_is_answered_from_the_background_not_the_papers_own_work(settings):
    answer = ask("What was wrong with earlier deep learning methods for precipitation nowcasting?", settings=settings)
    assert "blurry nowcasts at longer lead times" in answer.text
    assert "we present" not in answer.text


def test_asking_why_a_papers_own_work_does_well_quotes_what_the_paper_says_makes_it_so(settings):
    answer = ask("Why are Sparse Transformers more efficient?", settings=settings)
    assert "sparse factorizations of the attention matrix which reduce this" in answer.text  # not only the background


def test_a_why_question_quotes_the_reasons_an_abstract_gives_before_its_own_work(settings):
    answer = ask("Why does seq2slate model interactions between items?", settings=settings)
    assert "appealing as a whole" in answer.text
    assert "we propose" not in answer.text


def test_by_how_much_one_model_beat_another_is_answered_first_with_the_sentence_putting_a_number_to_the_lead(settings):
    answer = ask("By how much did Chinchilla, the compute-optimal model trained with the same compute budget, beat "
                 "Gopher on MMLU?", settings=settings)  # not the sentence restating its setup
    assert answer.text.split(" [1]")[0].endswith("greater than a 7% improvement over Gopher")


def test_what_an_abstract_ends_by_discussing_is_its_last_sentence(settings):
    answer = ask("What does the Gopher abstract end by discussing?", settings=settings)
    assert "Finally we discuss the application of language models to AI safety" in answer.text
