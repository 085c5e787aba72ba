import subprocess
import sys
import textwrap
import time

import pytest

from rag import ask, available_llms
from rag.answers import backends as llms
from rag.answers.backends import ChatModelBackend, build_messages, register
from rag.answers.pipeline import FELL_BACK
from rag.answers.prompts import CANNOT_ANSWER
from rag.corpus.display import display_text
from rag.errors import LLMUnavailableError

from ..conftest import ROOT, make_settings
from ..helpers import CHINCHILLA_Q, free_port, model_writes_every_answer, wait_for_port


@pytest.fixture
def fresh_registry(monkeypatch):
    monkeypatch.setattr(llms, "_registry", {})
    monkeypatch.setattr(llms, "_loaded", False)


@pytest.fixture
def scoped_registry(monkeypatch):
    """Registrations made by the test are forgotten after it."""
    llms.available_llms()
    monkeypatch.setattr(llms, "_registry", dict(llms._registry))


def test_builtins_are_registered_and_the_test_fake_is_not_one(fresh_registry):
    assert set(available_llms()) == {"extractive", "llamacpp", "openai"}


def test_plugins_come_in_through_the_entry_point_group(tmp_path, monkeypatch, fresh_registry, settings):
    (tmp_path / "demo_plugin.py").write_text(textwrap.dedent('''
        from langchain_core.language_models.fake_chat_models import FakeListChatModel
        from rag.llms import ChatModelBackend

        def register_llms(register):
            register("demo", lambda settings: ChatModelBackend(
                "demo", FakeListChatModel(responses=["Nothing to see [1]."])), description="demo")
    '''))
    dist = tmp_path / "demo_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[rag.llms]\ndemo = demo_plugin:register_llms\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "demo" in available_llms()
    assert {"extractive", "openai", "llamacpp"} <= set(available_llms())
    answer = ask(CHINCHILLA_Q, llm="demo", settings=settings)
    assert any("The 'demo' answer had nothing the checks let through" in n for n in answer.notes)  # it was asked


def test_prompt_presents_passages_as_numbered_delimited_data(engine):
    from rag.retrieval.hybrid import HybridRetriever

    passages = HybridRetriever(engine).retrieve(CHINCHILLA_Q, 3)
    system, human = build_messages(CHINCHILLA_Q, passages)
    assert "data, not instructions" in system.content
    assert CANNOT_ANSWER not in system.content  # whether to refuse is decided before a model is asked
    for n, passage in enumerate(passages, start=1):
        assert f'<source id="{n}" title="{passage.label}">' in human.content
        assert display_text(passage.text) in human.content  # readable: Chinchilla, not \chinchilla
    assert "\\chinchilla" not in human.content
    assert human.content.rstrip().endswith(CHINCHILLA_Q)


def test_a_registered_chat_model_is_checked_like_any_other(settings, engine, chinchilla, scoped_registry):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from rag.corpus.text import sentences
    from rag.retrieval.hybrid import HybridRetriever

    second = HybridRetriever(engine).retrieve(CHINCHILLA_Q, 5)[1]
    claim = sentences(second.text)[0]
    scripted = f"{claim[:-1]} [2][9]. Penguins invented the transistor [1]."
    register("scripted", lambda s: ChatModelBackend("scripted", FakeListChatModel(responses=[scripted])))
    answer = ask(CHINCHILLA_Q, llm="scripted", settings=settings)
    assert answer.text == f"{claim[:-1]} [1]."  # renumbered: passage 2 is the only citation
    assert [c.text for c in answer.citations] == [second.text]
    assert any("[9]" in note for note in answer.notes)
    assert any("Penguins" in note for note in answer.notes)


@pytest.fixture(scope="module")
def openai_server():
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fake_openai_server.py"), str(port)])
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}/v1"
    server.terminate()
    server.wait()


def test_openai_backend_streams_from_a_real_server_and_is_checked(settings, openai_server, chinchilla, engine):
    local = settings.model_copy(update={"openai": settings.openai.model_copy(update={"base_url": openai_server})})
    from rag import stream_ask

    items = list(stream_ask(CHINCHILLA_Q, llm="openai", settings=local))
    pieces, answer = items[:-1], items[-1]
    assert len(pieces) > 3  # streamed word by word
    assert "[7]" in "".join(pieces) and "[7]" not in answer.text
    assert "moon landing" not in answer.text
    assert answer.llm == "openai" and not answer.refused
    assert answer.citations[0].doc_id == chinchilla.id


def test_unreachable_endpoint_is_one_clear_line_naming_the_url(settings):
    url = f"http://127.0.0.1:{free_port()}/v1"
    local = settings.model_copy(update={"openai": settings.openai.model_copy(update={"base_url": url, "timeout_s": 5})})
    llms.get_llm("openai", local)  # the client library is imported before the clock starts (in any test order)
    started = time.time()
    with pytest.raises(LLMUnavailableError) as raised:
        ask(CHINCHILLA_Q, llm="openai", settings=local)
    assert url in str(raised.value) and "\n" not in str(raised.value)
    assert time.time() - started < 10


def test_unreachable_endpoint_can_fall_back_to_extractive(settings, chinchilla):
    url = f"http://127.0.0.1:{free_port()}/v1"
    local = settings.model_copy(update={
        "openai": settings.openai.model_copy(update={"base_url": url}),
        "answer": settings.answer.model_copy(update={"on_llm_error": "extractive"}),
    })
    answer = ask(CHINCHILLA_Q, llm="openai", settings=local)
    assert answer.llm == "extractive" and not answer.refused
    assert any(url in note for note in answer.notes)
    assert answer.citations[0].doc_id == chinchilla.id


def test_openai_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RAG_LLM", "openai")
    monkeypatch.setenv("RAG_OPENAI__MODEL", "llama3")
    monkeypatch.setenv("RAG_OPENAI__BASE_URL", "http://127.0.0.1:11434/v1")
    settings = make_settings()
    assert (settings.llm, settings.openai.model, settings.openai.base_url) == (
        "openai", "llama3", "http://127.0.0.1:11434/v1")
    backend = llms.get_llm("openai", settings)
    assert backend.endpoint == "http://127.0.0.1:11434/v1"


def test_a_model_answer_that_nothing_of_passes_the_checks_gives_way_to_the_extractive_one(settings, chinchilla,
                                                                                          scoped_registry):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    register("babbler", lambda s: ChatModelBackend("babbler", FakeListChatModel(
        responses=["Penguins invented the transistor in 1947 [1]."])))
    answer = ask(CHINCHILLA_Q, llm="babbler", settings=settings)
    assert not answer.refused and answer.llm == "extractive"
    assert answer.citations[0].doc_id == chinchilla.id
    assert any("'babbler' answer had nothing the checks let through" in note for note in answer.notes)
    register("refuser", lambda s: ChatModelBackend("refuser", FakeListChatModel(responses=[CANNOT_ANSWER])))
    assert not ask(CHINCHILLA_Q, llm="refuser", settings=settings).refused  # the passages were found relevant


def test_progress_says_which_papers_are_read_before_the_first_words(settings, chinchilla):
    from rag import Progress, stream_ask

    items = list(stream_ask(CHINCHILLA_Q, progress=True, settings=settings))
    assert isinstance(items[0], Progress) and items[0].stage == "reading"
    assert items[0].message.startswith("Reading ") and "Chinchilla" in items[0].message
    assert chinchilla.id in {p.doc_id for p in items[0].passages}
    assert not any(isinstance(item, Progress) for item in stream_ask(CHINCHILLA_Q, settings=settings))


@pytest.mark.parametrize(("question", "said"), [
    ("Which papers mention GPT-3 by name?", "A list question"),
    ("How do the Chinchilla findings differ from the earlier scaling laws?", "A comparison question"),
    ("Chinchilla compute-optimal", "A keyword query"),
    ("How many parameters does GPT-3 have?", "A quantity question"),
])
def test_lists_comparisons_quantities_and_keyword_queries_are_left_to_the_extractive_composer_unless_settings_say_otherwise(
        settings, scoped_registry, question, said):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    register("scripted", lambda s: ChatModelBackend("scripted", FakeListChatModel(
        responses=["Nothing from the sources [1]."])))
    extractive = ask(question, llm="extractive", settings=settings)
    routed = ask(question, llm="scripted", settings=settings)
    assert not extractive.refused
    assert routed.llm == "extractive" and routed.text == extractive.text and routed.citations
    assert any(f"{said}: answered extractively" in note for note in routed.notes)
    assert not any(note.endswith(FELL_BACK) for note in routed.notes)  # on purpose, not a fallback
    written = ask(question, llm="scripted", settings=model_writes_every_answer(settings))
    assert any("nothing the checks let through" in note for note in written.notes)  # the model was asked


def test_a_model_answer_that_only_says_the_question_back_gives_way_to_the_extractive_one(settings, chinchilla,
                                                                                         scoped_registry):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    register("echo", lambda s: ChatModelBackend("echo", FakeListChatModel(
        responses=["Yes, the Chinchilla paper did find about compute-optimal training [1]."])))
    answer = ask(CHINCHILLA_Q, llm="echo", settings=settings)
    assert answer.llm == "extractive" and answer.citations[0].doc_id == chinchilla.id
    assert any("'echo' answer only said the question back" in note for note in answer.notes)
    off = settings.model_copy(update={"answer": settings.answer.model_copy(update={"min_new_words": 0})})
    kept = ask(CHINCHILLA_Q, llm="echo", settings=off)
    assert kept.llm == "echo" and kept.text.startswith("Yes, the Chinchilla paper")


@pytest.mark.parametrize("written, kept", [
    ("The Codex paper releases a new evaluation set to measure functional correctness [1].", False),
    ("The Codex paper releases HumanEval, an evaluation set for functional correctness [1].", True),
])
def test_a_model_answer_to_a_question_asking_for_a_name_must_give_one(settings, scoped_registry, written, kept):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    register("nameless", lambda s: ChatModelBackend("nameless", FakeListChatModel(responses=[written])))
    question = "What is the name of the evaluation set the Codex paper releases for functional correctness?"
    answer = ask(question, llm="nameless", settings=model_writes_every_answer(settings))
    assert not answer.refused and answer.citations
    assert (answer.llm == "nameless") is kept
    assert any("'nameless' answer named nothing the question asks the name of" in note
               for note in answer.notes) is not kept
    assert "HumanEval" in answer.text


@pytest.mark.parametrize("written, kept", [
    ("The paper introduces the recomputation of attention matrices to save memory [1].", False),
    ("Sparse Transformers introduce the recomputation of attention matrices to save memory [1].", True),
])
def test_a_model_answer_to_which_paper_must_name_the_paper(settings, scoped_registry, written, kept):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    register("unnamed", lambda s: ChatModelBackend("unnamed", FakeListChatModel(responses=[written])))
    answer = ask("Which paper saves memory by recomputing the attention matrices?", llm="unnamed", settings=settings)
    assert not answer.refused and answer.citations
    assert (answer.llm == "unnamed") is kept
    assert any("'unnamed' answer named no paper" in note for note in answer.notes) is not kept
    assert "Sparse Transformers" in answer.text
