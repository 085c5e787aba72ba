"""A tiny OpenAI-compatible chat-completions server FOR TESTS (run as its own process).

It answers every request with a scripted text that cites source [1] correctly, cites a
source that does not exist and makes one unsupported claim, streamed as server-sent events
the way OpenAI's API streams. Usage: python fake_openai_server.py PORT [MODE]

MODE ``slow`` waits 60 s before answering (a hung model); ``garbage`` answers 200 with text
that is not the API's JSON.
"""

from __future__ import annotations

import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UNSUPPORTED = "The moon landing was filmed in a studio [2]."


def scripted_answer(prompt: str) -> str:
    match = re.search(r'<source id="1"[^>]*>\n(.*?)[.!?]\s', prompt, re.DOTALL)
    first = match.group(1) if match else "Nothing"
    return f"{first} [1]. Also see [7]. {UNSUPPORTED}"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if MODE == "slow":
            time.sleep(60)
        if MODE == "garbage":
            data = b"<html><body>502 upstream is having a bad day</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream" if body.get("stream") else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        prompt = "\n".join(str(m.get("content", "")) for m in body["messages"])
        text = scripted_answer(prompt)
        base = {"id": "chatcmpl-test", "created": int(time.time()), "model": body.get("model", "test")}
        if not body.get("stream"):
            payload = {**base, "object": "chat.completion", "choices": [{
                "index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for word in re.findall(r"\S+\s*", text):
            chunk = {**base, "object": "chat.completion.chunk", "choices": [{
                "index": 0, "delta": {"content": word}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        done = {**base, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())


MODE = sys.argv[2] if len(sys.argv) > 2 else "normal"

if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
