import json
import os
import subprocess
import sys

import pytest

from rag.corpus.labels import paper_label

from ..conftest import ROOT, SEEDS


def run_cli(*args, index_dir, stdin=None):
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS)}
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def test_ask_json_prints_a_cited_answer(engine, index_dir, chinchilla):
    result = run_cli("ask", "What did the Chinchilla paper find about compute-optimal training?",
                     "--json", "-k", "4", index_dir=index_dir)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["refused"] is False
    assert answer["citations"][0]["doc_id"] == chinchilla.id
    assert set(answer["citations"][0]) >= {"n", "doc_id", "title", "source", "text", "start", "end", "score"}
    assert len(answer["closest"]) == 4


@pytest.mark.parametrize("question, message", [
    ("   ", "The question is empty"),
    ("why " * 600, "the limit is 2,000"),
])
def test_bad_questions_exit_non_zero_with_one_line(engine, index_dir, question, message):
    result = run_cli("ask", question, index_dir=index_dir)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_index_reports_up_to_date_and_unknown_llm_fails_cleanly(engine, index_dir):
    result = run_cli("index", index_dir=index_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Index up to date: 35 papers")
    bad = run_cli("ask", "anything", "--llm", "nope", index_dir=index_dir)
    assert bad.returncode == 2 and "Unknown model: nope. Known models: extractive" in bad.stderr


def test_chat_keeps_the_conversation(engine, index_dir, chinchilla):
    result = run_cli("chat", index_dir=index_dir, stdin=(
        "What did the Chinchilla paper find about compute-optimal training?\n"
        "and what did they find about data?\n"
        "How long should I boil an egg for a runny yolk?\n"
        "/clear\n"
        "and what did they find about data?\n\n"))
    assert result.returncode == 0, result.stderr
    answers = result.stdout.split("\n> ")[1:]
    assert len(answers) == 6  # three answers, the clear, one more answer and the final prompt
    assert "Sources:" in answers[0] and "Sources:" in answers[1]
    follow_up_sources = answers[1].split("Sources:")[1]
    label, _ = paper_label(None, chinchilla.abstract)
    assert f"] {label} (" in follow_up_sources  # the follow-up stayed with Chinchilla
    assert answers[1].startswith("(searched: What did the Chinchilla paper find")  # and says what it searched
    assert "The corpus does not contain an answer" in answers[2]
    assert "(conversation cleared)" in answers[3]
    assert "(searched:" not in answers[4]  # after /clear, nothing to lean on


def test_search_that_no_paper_matches_says_so(engine, index_dir):
    result = run_cli("search", "scaling laws", "--year-from", "2030", index_dir=index_dir)
    assert result.returncode == 0, result.stderr
    assert "No passage matched the filters {'year_from': 2030}" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["ask", b"\xff\xfe what is this"], "is not valid UTF-8"),
    (["index", "--corpus", "/dev/zero"], "neither a regular file nor a folder"),
    (["index", "--corpus", "FIFO"], "neither a regular file nor a folder"),
    (["search", "x", "--corpus", b"/tmp/\xff"], "is not valid UTF-8"),
])
def test_bad_arguments_are_one_line_never_a_traceback(engine, index_dir, tmp_path, args, message):
    if "FIFO" in args:
        os.mkfifo(tmp_path / "fifo")
        args = [str(tmp_path / "fifo") if a == "FIFO" else a for a in args]
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS)}
    result = subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, env=env, capture_output=True, timeout=120)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr
    assert message in stderr and "Traceback" not in stderr
    assert [line for line in stderr.splitlines() if line.startswith("error:")] == [stderr.splitlines()[-1]]


def test_an_invalid_setting_names_its_variable_and_what_was_given(engine, index_dir):
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS": str(SEEDS),
           "RAG_ANSWER__EXTRACTIVE_KINDS": '["lists"]', "RAG_RETRIEVAL__CANDIDATES": "-3"}
    result = subprocess.run([sys.executable, "-m", "rag", "ask", "anything"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: Invalid settings")
    assert "RAG_ANSWER__EXTRACTIVE_KINDS: Input should be 'quantity', 'list'" in result.stderr
    assert "(got 'lists')" in result.stderr and "RAG_RETRIEVAL__CANDIDATES" in result.stderr
    assert "Fix or unset them" in result.stderr
