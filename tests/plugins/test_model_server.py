"""`rag serve-model`: the real GGUF model behind an OpenAI-compatible API, in its own
process, used by the official OpenAI client and by the 'openai' backend."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from rag import stream_ask
from rag.models import Answer

from ..conftest import ROOT
from ..helpers import CHINCHILLA_Q, free_port

pytestmark = pytest.mark.local_model


@pytest.fixture(scope="module")
def model_server():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "rag", "serve-model", "--port", str(port)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/models", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                pytest.fail(f"the model server did not start: {process.stdout.read()}")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(10)


def test_models_and_streamed_completions_through_the_official_client(model_server):
    from openai import OpenAI

    client = OpenAI(base_url=model_server, api_key="none")
    [model] = client.models.list().data
    assert "270m" in model.id.lower()
    chunks = list(client.chat.completions.create(
        model=model.id, messages=[{"role": "user", "content": "Name a colour."}], max_tokens=12, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(chunks) > 3 and text.strip()
    assert chunks[-1].choices[0].finish_reason == "stop"
    whole = client.chat.completions.create(
        model=model.id, messages=[{"role": "user", "content": "Name a colour."}], max_tokens=12)
    assert whole.choices[0].message.content == text  # greedy: the same reply either way


def test_openai_backend_answers_through_the_model_server(settings, engine, model_server):
    local = settings.model_copy(update={"openai": settings.openai.model_copy(update={"base_url": model_server})})
    items = list(stream_ask(CHINCHILLA_Q, k=2, llm="openai", settings=local))
    pieces, answer = items[:-1], items[-1]
    assert len(pieces) > 5 and isinstance(answer, Answer) and answer.llm == "openai"
    assert "[3]" in "".join(pieces) and "[3]" not in answer.text  # no such source with k=2
    for citation in answer.citations:
        assert engine.abstract(citation.doc_id)[citation.start:citation.end] == citation.text


def test_bad_requests_get_an_openai_style_error(model_server):
    request = urllib.request.Request(f"{model_server}/chat/completions", data=json.dumps({"messages": []}).encode(),
                                     headers={"content-type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    assert raised.value.code == 400
    assert "messages" in json.loads(raised.value.read())["error"]["message"]
