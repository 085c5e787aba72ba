"""A one-shot ``rag ask`` answered by a ``rag serve`` already running on the same index, so a
question costs an HTTP call instead of loading the embedding model (seconds) in a new process.

``rag serve`` writes ``serving.json`` (its loopback URL and process id, never its token) into
the index folder while it runs and removes it when it stops.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from ..errors import QuestionError
from ..models import Answer

SERVING_FILE = "serving.json"


def announce(index_dir: Path, host: str, port: int) -> Path:
    """Record that this process serves ``index_dir`` at ``host:port``; returns the file to remove."""
    loopback = "127.0.0.1" if host in ("0.0.0.0", "", "localhost") else ("::1" if host == "::" else host)
    url = f"http://[{loopback}]:{port}" if ":" in loopback else f"http://{loopback}:{port}"
    path = Path(index_dir) / SERVING_FILE
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}))
    return path


def running_server(index_dir: Path) -> str | None:
    """The URL of a live ``rag serve`` on ``index_dir``, or None."""
    try:
        info = json.loads((Path(index_dir) / SERVING_FILE).read_text())
        os.kill(int(info["pid"]), 0)  # alive (a stale file from a killed server is ignored)
        return str(info["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def ask_server(url: str, body: dict, token: str | None, timeout: float = 300) -> Answer | None:
    """``body`` asked of the server at ``url``; None when it cannot be reached (ask locally then).
    A question the server rejects raises :class:`QuestionError` with its message."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url + "/api/ask", data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer.model_validate_json(response.read())
    except urllib.error.HTTPError as error:
        if error.code in (400, 413):
            raise QuestionError(json.loads(error.read() or b"{}").get("error", "The server refused the question.")) from None
        return None  # busy, unauthorised, unavailable: answer here instead
    except (OSError, ValueError):
        return None
