"""The JSON API and Gradio's own API, over HTTP against the real server process."""

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from ..helpers import post_ask as post

CHINCHILLA_Q = "What did the Chinchilla paper find about compute-optimal training?"


def test_api_ask_returns_the_answer_as_json(server, chinchilla):
    status, answer = post(server, {"question": CHINCHILLA_Q, "k": 4})
    assert status == 200
    assert answer["refused"] is False and answer["citations"][0]["doc_id"] == chinchilla.id
    citation = answer["citations"][0]
    assert chinchilla.abstract[citation["start"]:citation["end"]] == citation["text"]
    status, refused = post(server, {"question": "How long should I boil an egg for a runny yolk?"})
    assert status == 200 and refused["refused"] is True and refused["citations"] == []


@pytest.mark.parametrize("body, raw, message", [
    (None, b"{not json", "JSON decode error"),
    ({"question": CHINCHILLA_Q, "k": "many"}, None, "k"),
    ({"question": CHINCHILLA_Q, "k": 0}, None, "k must be"),
    ({"question": CHINCHILLA_Q, "k": 10_000}, None, "k must be"),
    ({"question": 42}, None, "question"),
    ({"question": "   "}, None, "empty"),
    ({"question": "x" * 5000}, None, "limit is 2,000"),
    ({"question": CHINCHILLA_Q, "surprise": 1}, None, "surprise"),
    ({"question": CHINCHILLA_Q, "llm": "gpt-17"}, None, "Unknown model: gpt-17"),
    ({"question": CHINCHILLA_Q, "collections": ["Nope"]}, None, "Unknown collection"),
    ({"question": CHINCHILLA_Q, "filters": {"year_from": "soon"}}, None, "Bad filter"),
    ({"question": CHINCHILLA_Q, "filters": {"colour": ["red"]}}, None, "Bad filter"),
    ([1, 2], None, "body"),
])
def test_bad_input_gets_a_400_with_a_message(server, body, raw, message):
    status, payload = post(server, body, raw)
    assert status == 400
    assert message in payload["error"]


def test_unreachable_model_endpoint_is_a_503_naming_it(server):
    status, payload = post(server, {"question": CHINCHILLA_Q, "llm": "openai"})
    assert status == 503
    assert "http://127.0.0.1:" in payload["error"] and "Traceback" not in payload["error"]


def test_gradio_client_can_chat(server, chinchilla):
    from gradio_client import Client

    client = Client(server + "/", verbose=False)
    messages, sources, cleared = client.predict(CHINCHILLA_Q, "extractive", 5, [], [], 0, 0, api_name="/chat")
    assert cleared == {"__type__": "update"}  # the box was cleared when the question was taken; the end leaves it
    assert messages[-1]["role"] == "assistant" and "rag-cite" in str(messages[-1]["content"])
    assert "rag-src-0-1" in sources


def test_twenty_concurrent_requests_within_the_queue_all_succeed(server):
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda i: post(server, {"question": f"{CHINCHILLA_Q} ({i})"}), range(20)))
    assert [status for status, _ in results] == [200] * 20
    assert all(answer["citations"] for _, answer in results)


from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hsettings

from ..test_properties import RAW  # noqa: E402


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=RAW)
def test_any_body_gets_json_with_a_200_or_a_4xx(server, raw):
    status, payload = post(server, None, raw)
    assert status == 200 or 400 <= status < 500, (status, payload)
    if status != 200:
        assert payload["error"] and "Traceback" not in payload["error"]
    else:
        assert "text" in payload and "citations" in payload


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_api_ask_with_another_method_is_405_naming_post(server, method):
    request = urllib.request.Request(server + "/api/ask", method=method)
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=30)
    assert raised.value.code == 405 and raised.value.headers["Allow"] == "POST"
    assert "Use POST" in json.loads(raised.value.read())["error"]
