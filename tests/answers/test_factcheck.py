"""Generated sentences keep a citation only when the cited passage states their numbers and names."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from rag import ask
from rag.answers.backends import ChatModelBackend
from rag.answers.factcheck import unsupported_facts
from rag.models import Passage

from ..helpers import model_writes_every_answer

GPT4O = "GPT-4o can respond to audio inputs in as little as 232 milliseconds, with an average of 320 milliseconds."


def _passage(text: str) -> Passage:
    return Passage(doc_id="d", title="t", label="GPT-4o", source="s", text=text, start=0, end=len(text))


def test_numbers_and_names_must_be_in_the_cited_passage():
    assert unsupported_facts("GPT-4o responds in 232 milliseconds", [_passage(GPT4O)]) == []
    assert unsupported_facts("GPT-4o responds in 500 ms", [_passage(GPT4O)]) == ["500"]
    assert unsupported_facts("GPT-5 responds in 232 milliseconds", [_passage(GPT4O)]) == ["GPT-5"]
    assert unsupported_facts("Unlike GPT-4o, the Gemini model responds in 232 milliseconds", [_passage(GPT4O)]) == ["Gemini"]
    assert unsupported_facts("1. GPT-4o answers in 320 milliseconds", [_passage(GPT4O)]) == []  # a list number


def test_a_model_that_writes_wrong_numbers_and_names_loses_those_sentences(settings, monkeypatch):
    from rag.answers import backends as llms

    scripted = ("GPT-4o responds to audio inputs in as little as 232 milliseconds [1]. "
                "GPT-4o responds to audio inputs in 500 ms on average [1]. "
                "PaLM responds to audio inputs in as little as 232 milliseconds [1]. "
                "Like GPT-4o, the Gemini model responds to audio inputs in as little as 232 milliseconds [1].")
    llms.available_llms()  # the built-ins loaded into the registry before it is copied for this test
    monkeypatch.setattr(llms, "_registry", dict(llms._registry))
    llms.register("scripted", lambda s: ChatModelBackend("scripted", FakeListChatModel(responses=[scripted])))
    answer = ask("How fast does GPT-4o respond to audio inputs?", llm="scripted",  # a quantity: the model writes it
                 settings=model_writes_every_answer(settings))
    assert answer.text == "GPT-4o responds to audio inputs in as little as 232 milliseconds [1]."
    dropped = [n for n in answer.notes if "do not state" in n]
    assert len(dropped) == 3
    assert dropped[0].endswith("do not state 500") and dropped[1].endswith("do not state PaLM")
    assert dropped[2].endswith("do not state Gemini")
