"""What stands between the network and the app: an ASGI middleware that admits only the
routes the page and the API use, known ``Host`` names, same-origin browser requests and
bounded bodies, and an HTTP protocol that closes connections whose headers never finish.

Gradio mounts many routes of its own (file serving, uploads, streaming, monitoring...); the
page needs a handful. Everything else answers 404 here, before Gradio sees it.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The routes the chat page, gradio_client and the JSON API use; nothing else is served.
EXACT_ROUTES = frozenset({
    "/", "/config", "/config/", "/theme.css", "/favicon.ico", "/manifest.json", "/robots.txt",
    "/gradio_api/info", "/gradio_api/info/", "/gradio_api/queue/join", "/gradio_api/queue/data",
    "/gradio_api/startup-events", "/gradio_api/call/chat", "/gradio_api/call/chat/",
    "/gradio_api/run/predict",  # events outside the queue
    "/login", "/login/", "/logout", "/gradio_api/login_check", "/gradio_api/login_check/",  # with a token
})
PREFIX_ROUTES = ("/assets/", "/static/", "/svelte/", "/gradio_api/heartbeat/", "/gradio_api/call/chat/", "/api/")
DRAIN_LIMIT = 32 * 1024 * 1024
"""An oversized body is read and discarded up to this size before the 413; past it, the
connection is closed."""
LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARD = ("0.0.0.0", "::", "")


def route_allowed(path: str) -> bool:
    """Whether ``path`` is one of the routes the page and the API need."""
    return path in EXACT_ROUTES or path.startswith(PREFIX_ROUTES) and ".." not in path


def allowed_host_names(bound: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Host names requests may carry: the bound address (all loopback names when it is a
    loopback address; for 0.0.0.0 or ::, loopback and this machine's name and addresses) and
    ``extra``."""
    names = set(LOOPBACK) if bound in LOOPBACK or bound in WILDCARD else {bound}
    if bound in WILDCARD:
        machine = socket.gethostname()
        names.update({machine, socket.getfqdn()})
        try:
            names.update(info[4][0] for info in socket.getaddrinfo(machine, None))
        except OSError:
            pass
    names.update(extra)
    return frozenset(n.strip("[]").lower() for n in names if n)


def _host_name(host: str) -> str:
    """``host[:port]`` or ``[v6]:port`` without the port, lower case."""
    if host.startswith("["):
        return host[1:host.find("]")].lower() if "]" in host else host.lower()
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


class RequestGuard:
    """The ASGI middleware of the module docstring."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str], max_body: int, body_timeout: float) -> None:
        self.app = app
        self.hosts = hosts
        self.max_body = max_body
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":  # the page uses none
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if _host_name(host) not in self.hosts:
            await _reply(send, 400, "Unknown Host header: this server answers only for the names it "
                                    "is configured for (RAG_SERVER__ALLOWED_HOSTS).")
            return
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            await _reply(send, 403, "Cross-origin requests are refused: use the page this server serves.")
            return
        if not route_allowed(scope["path"]):
            await _reply(send, 404, "Not found.")
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        too_large = declared.isdigit() and int(declared) > self.max_body
        try:
            body = await asyncio.wait_for(self._read_body(receive, too_large), self.body_timeout)
        except asyncio.TimeoutError:
            await _reply(send, 408, f"The request body did not arrive within {self.body_timeout:g} s.")
            return
        except _TooLarge:
            await _reply(send, 413, f"The request body is larger than {self.max_body:,} bytes.")
            return
        except _Disconnected:
            return
        if scope["path"].startswith("/gradio_api/") and names_a_file(body):
            await _reply(send, 400, "Inputs must be text, numbers or lists of text; files are not accepted.")
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, receive: Receive, too_large: bool) -> bytes:
        """The body, kept only while it is within the limit. A larger one is read to its end
        (up to :data:`DRAIN_LIMIT`) and thrown away, so the client gets the 413 instead of a
        reset connection."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            too_large = too_large or size > self.max_body
            if too_large:
                chunks.clear()
                if size > DRAIN_LIMIT or not message.get("more_body"):
                    raise _TooLarge
                continue
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)


def names_a_file(body: bytes) -> bool:
    """Whether a Gradio request body holds anything shaped like a file reference (an object
    with a ``path`` or ``meta``, such as ``gradio.FileData``). The page has no file inputs, so
    such a body can only be an attempt to make Gradio read a file."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False  # Gradio answers a body that is not JSON with its own 4xx
    stack = [payload]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "path" in value or "meta" in value:
                return True
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then waits on the client."""
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _reply(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def header_timeout_protocol(seconds: float) -> type[HttpToolsProtocol]:
    """uvicorn's HTTP protocol, closing a connection whose request headers have not all
    arrived ``seconds`` after it opened (or after its previous response): a client cannot hold
    a connection by sending headers a byte at a time."""

    class HeaderTimeoutProtocol(HttpToolsProtocol):
        _deadline: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

    return HeaderTimeoutProtocol
