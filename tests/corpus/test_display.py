"""LaTeX made readable for people, while citations still index the stored abstract exactly."""

from rag import ask
from rag.corpus.display import display_text


def test_macros_and_math_read_as_text():
    assert display_text(r"a model, \chinchilla, with 4$\times$ more data and a $2$ trillion token base") == \
        "a model, Chinchilla, with 4× more data and a 2 trillion token base"
    assert display_text(r"reduce this to $O(n \sqrt{n})$; $10^{-2}$ to $10^1$; \Gopher (280B)") == \
        "reduce this to O(n √n); 10⁻² to 10¹; Gopher (280B)"
    assert display_text(r"over \nummodels language models") == "over a number of language models"
    assert display_text("costs $5 and $6 in all") == "costs $5 and $6 in all"  # prices are not math
    assert display_text(r"an unknown $\foo{x}$ stays") == r"an unknown $\foo{x}$ stays"
    assert display_text(r"Fr\'echet DeepSpeech Distance, {\"o}, \'{e}") == "Fréchet DeepSpeech Distance, ö, é"


def test_answers_read_readably_and_citations_index_the_stored_abstract(settings, engine):
    answer = ask("What did the Chinchilla paper find about compute-optimal training?", settings=settings)
    assert "Chinchilla" in answer.text and "\\chinchilla" not in answer.text and "$" not in answer.text
    assert "4×" in answer.text or "a number of language models" in answer.text
    stored = engine.abstract(answer.citations[0].doc_id)
    assert "\\chinchilla" in stored  # the index keeps the text as the corpus wrote it
    for citation in answer.citations:
        abstract = engine.abstract(citation.doc_id)
        assert abstract[citation.start:citation.end] == citation.text
        for start, end in citation.highlights:
            assert display_text(abstract[start:end]).rstrip(".") in answer.text
