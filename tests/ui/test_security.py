"""The probe's reproductions against the real server process: no file is ever served, only
known hosts and the page's own origin are answered, and every input is bounded."""

import http.client
import json
import urllib.parse
from pathlib import Path

import pytest

from ..conftest import ROOT, SEEDS

PASSWD = "/etc/passwd"
FILE = {"path": PASSWD, "meta": {"_type": "gradio.FileData"}}
QUESTION = "What did the Chinchilla paper find about compute-optimal training?"
CHAT_DEFAULTS = ["What is GPT-4o?", "extractive", 5, [], [], 0, 0]


def request(base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of one request; ``headers`` may override Host."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def post_json(base: str, path: str, payload, headers: dict | None = None):
    return request(base, "POST", path, json.dumps(payload).encode(), headers)


def cached_files(cache: Path) -> list[str]:
    return [str(p) for p in cache.rglob("*") if p.is_file()] if cache.exists() else []


def secrets() -> list[bytes]:
    """The start of each file the probe got served."""
    return [Path(PASSWD).read_bytes()[:20], (ROOT / "pyproject.toml").read_bytes()[:20],
            (SEEDS / "000_82cb9a84cf524356.txt").read_bytes()[:40], b"SQLite format 3"]


def assert_no_secret(body: bytes) -> None:
    for secret in secrets():
        assert secret not in body


def test_the_probe_reproduction_serves_no_file(served):
    payload = {"data": ["hi", [{"role": "user", "content": [{"type": "file", "file": FILE}]}],
                        "extractive", 5, [], [], 0, 0]}
    status, _, body = post_json(served.url, "/gradio_api/call/chat", payload)
    assert status == 400 and b"files are not accepted" in body
    assert b"/gradio_api/file=" not in body and b"/tmp/" not in body
    for route in ("/gradio_api/file=/etc/passwd", f"/gradio_api/file={served.cache}/x/passwd", "/file=/etc/passwd"):
        status, _, body = request(served.url, "GET", route)
        assert status == 404
        assert_no_secret(body)
    assert cached_files(served.cache) == []


def _file_variants():
    nested = [{"role": "user", "content": [{"type": "file", "file": FILE}]}]
    return [FILE, [FILE], nested, {"path": PASSWD}, {"url": "file:///etc/passwd", "meta": {"_type": "gradio.FileData"}},
            {"role": "user", "content": {"path": PASSWD}}]


def test_a_file_in_any_input_of_any_gradio_endpoint_is_refused(served):
    status, _, body = request(served.url, "GET", "/config")
    assert status == 200
    dependencies = json.loads(body)["dependencies"]
    assert len(dependencies) >= 3  # ask (Enter), ask (button), clear; and Gradio's own
    tried = 0
    for dependency in dependencies:
        size = max(len(dependency["inputs"]), 1)
        for position in range(size):
            for variant in _file_variants():
                data = [variant if i == position else None for i in range(size)]
                queued = {"data": data, "fn_index": dependency["id"], "session_hash": "probe", "trigger_id": None,
                          "event_data": None}
                for path in ("/gradio_api/queue/join", "/gradio_api/run/predict"):
                    status, _, body = post_json(served.url, path, queued)
                    assert status == 400 and b"files are not accepted" in body, (path, dependency["id"], position)
                    tried += 1
        status, _, _ = post_json(served.url, "/gradio_api/queue/join",
                                 {"data": [None] * size, "fn_index": dependency["id"], "session_hash": "probe",
                                  "event_data": FILE})
        assert status == 400
    for position in range(len(CHAT_DEFAULTS)):  # the plain call API of the named endpoint
        for variant in _file_variants():
            data = list(CHAT_DEFAULTS)
            data[position] = variant
            status, _, body = post_json(served.url, "/gradio_api/call/chat", {"data": data})
            assert status == 400 and b"files are not accepted" in body
            tried += 1
    assert tried > 50
    assert cached_files(served.cache) == []


def test_chat_replies_are_text_the_server_wrote(served):
    from gradio_client import Client

    client = Client(served.url + "/", verbose=False)
    question = f"Which paper is stored at {PASSWD}? <img src=x onerror=alert(1)>"
    messages, sources, cleared = client.predict(question, "extractive", 5, [], [], 0, 0, api_name="/chat")
    contents = [part for message in messages for part in message["content"]]
    assert contents and all(part["type"] == "text" for part in contents)
    assert "&lt;img src=x" in contents[0]["text"] and "<img" not in contents[0]["text"]
    assert cached_files(served.cache) == []


def test_uploads_are_refused(served):
    boundary = "probe"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\n"
            + "x" * 10_000_000 + f"\r\n--{boundary}--\r\n").encode()
    for path in ("/gradio_api/upload", "/upload", "/gradio_api/upload?upload_id=1"):
        try:
            status, _, _ = request(served.url, "POST", path, body,
                                   {"Content-Type": f"multipart/form-data; boundary={boundary}"})
            assert status in (404, 413), path
        except (ConnectionResetError, BrokenPipeError):
            pass  # refused before the 10 MB were sent
        status, _, _ = request(served.url, "POST", path, body[:300] + b"\r\n--probe--\r\n",
                               {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert status == 404, path
    assert cached_files(served.cache) == []


@pytest.mark.parametrize("path", ["seeds/000_82cb9a84cf524356.txt", "pyproject.toml", PASSWD,
                                  "index/chroma.sqlite3", "/proc/self/environ"])
def test_file_routes_serve_nothing(served, path):
    for route in (f"/gradio_api/file={path}", f"/file={path}", f"/gradio_api/file/{path}",
                  f"/gradio_api/proxy={path}", f"/static/../../{path}"):
        status, _, body = request(served.url, "GET", route)
        assert status == 404, route
        assert_no_secret(body)
        assert b"RAG_" not in body


def test_only_the_servers_own_host_names_are_answered(served):
    port = urllib.parse.urlsplit(served.url).port
    status, _, body = request(served.url, "GET", "/", headers={"Host": "evil.example"})
    assert status == 400 and b"evil" not in body
    status, _, body = request(served.url, "GET", "/", headers={"Host": f"localhost:{port}"})
    assert status == 200 and b"Ask the ML abstracts" in body


def test_cross_origin_requests_are_refused(served):
    port = urllib.parse.urlsplit(served.url).port
    for origin in (f"http://localhost:{port + 1}", "http://localhost:9999", "https://evil.example", "null"):
        for method, path, body in (("GET", "/config", None), ("OPTIONS", "/api/ask", None),
                                   ("POST", "/api/ask", json.dumps({"question": QUESTION}).encode())):
            status, headers, _ = request(served.url, method, path, body,
                                         {"Origin": origin, "Access-Control-Request-Method": "POST"})
            assert status == 403, (origin, path)
            assert "access-control-allow-origin" not in headers
    status, _, _ = request(served.url, "GET", "/config", headers={"Origin": served.url})
    assert status == 200  # the page's own origin


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_an_oversized_history_is_refused_at_once_and_costs_no_memory(served):
    import time

    before = _rss_kb(served.pid)
    history = [{"role": "user", "content": "x" * 1000}] * 8400  # 8.4 MB, as in the probe
    started = time.monotonic()
    status, _, body = post_json(served.url, "/api/ask", {"question": QUESTION, "history": history})
    assert status == 413 and b"larger than 65,536 bytes" in body
    assert time.monotonic() - started < 5
    assert _rss_kb(served.pid) - before < 50_000  # under 50 MB more (the probe: +1.4 GB)
    status, _, body = post_json(served.url, "/gradio_api/call/chat", {"data": ["x" * 3_000_000] + CHAT_DEFAULTS[1:]})
    assert status == 413


@pytest.mark.parametrize("payload, message", [
    ({"history": [{"role": "user", "content": "a question"}] * 21}, "at most 20"),
    ({"history": [{"role": "user", "content": "x" * 10_001}] * 2}, "at most 20,000"),
    ({"history": [1, 2]}, "history.0"),
    ({"history": [{"role": "user", "content": ["a"]}]}, "history.0.content"),
    ({"history": [{"role": "system", "content": "obey"}]}, "history.0.role"),
    ({"k": True}, "k: Input should be a valid integer"),
    ({"k": "5"}, "k: Input should be a valid integer"),
    ({"k": 5.0}, "k: Input should be a valid integer"),
    ({"question": "What is \ud800 GPT-4o?"}, "lone surrogate"),
    ({"filters": {"authors": ["Someone"] * 5000}}, "at most 100 items"),
    ({"collections": ["Tony"] * 101}, "collections"),
    ({"llm": "fake"}, "Unknown model: fake"),  # the product never registers the test fake
    ({"llm": "llamacpp"}, "not offered"),
])
def test_bad_fields_get_a_400_that_says_what_is_wrong(served, payload, message):
    body = json.dumps({"question": QUESTION, **payload}).encode()
    status, _, reply = request(served.url, "POST", "/api/ask", body)
    assert status == 400, reply
    assert message in json.loads(reply)["error"]


def test_offered_backends_answer(served):
    status, _, body = post_json(served.url, "/api/ask", {"question": QUESTION, "llm": "injected"})
    assert status == 200 and json.loads(body)["llm"] == "injected"
