"""Property-based tests: whatever the input, an Answer or one clear error, never anything else."""

import io
import json
from contextlib import redirect_stderr, redirect_stdout

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from rag import Answer, ask, search
from rag.errors import QuestionError
from rag.interfaces.cli import main

NASTY = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.sampled_from(list("\x00\x01\x1b\u200b\u202e\u2066 \t\n")), max_size=50),
    st.sampled_from(["", "   ", "\x00", "What? 🤖🧠📄", "ما هي قوانين التوسع؟", "שאלה על מודלים",
                     "x" * 100_000, "[1] [2] ![img](http://x)", "' OR 1=1 --", "<script>alert(1)</script>"]),
)
QUICK = hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@QUICK
@given(question=NASTY, k=st.one_of(st.integers(-5, 80), st.none(), st.floats(allow_nan=True), st.text(max_size=3)))
def test_ask_gives_an_answer_or_a_question_error(settings, question, k):
    try:
        answer = ask(question, k=k if k is not None else 5, settings=settings)
    except QuestionError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert isinstance(answer, Answer)
    assert answer.refused or answer.citations


@QUICK
@given(question=NASTY, k=st.integers(-3, 60))
def test_search_gives_passages_or_a_question_error(settings, question, k):
    try:
        passages = search(question, k=k, settings=settings)
    except QuestionError:
        return
    assert len(passages) <= k


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=NASTY, k=st.sampled_from(["5", "0", "-1", "x", "99"]))
def test_cli_exits_zero_or_two_with_one_line(settings, monkeypatch, question, k):
    monkeypatch.setenv("RAG_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("RAG_CORPUS", str(settings.corpus))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(["ask", question.replace("\x00", ""), "-k", k, "--json"])
        except SystemExit as exit_:  # argparse: a bad -k value
            code = exit_.code
    assert code in (0, 2)
    assert "Traceback" not in err.getvalue()
    if code == 0:
        json.loads(out.getvalue())
    else:  # one line saying what is wrong (argparse adds its usage line before it)
        assert [line for line in err.getvalue().splitlines() if line.startswith(("error:", "rag ask: error:"))]


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=6)
BODIES = st.one_of(
    st.fixed_dictionaries({"question": NASTY}, optional={"k": JSON_VALUES, "llm": JSON_VALUES, "filters": JSON_VALUES}),
    JSON_VALUES,
)
RAW = st.one_of(BODIES.map(lambda b: json.dumps(b).encode()), st.binary(max_size=200))
