"""One server for people and programs: the Gradio page at ``/`` and ``POST /api/ask``."""

from __future__ import annotations

import hmac
import os
import signal
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from typing import Annotated, Literal  # noqa: E402

from fastapi import Depends, FastAPI, Request  # noqa: E402
from fastapi.encoders import jsonable_encoder  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402
from starlette.exceptions import HTTPException as StarletteHTTPException  # noqa: E402

from rag import (  # noqa: E402
    LLMUnavailableError,
    QuestionError,
    RagError,
    Settings,
    StoreUnavailableError,
    UnknownLLMError,
    ask,
)
from rag.answers.backends import describe_llms  # noqa: E402
from rag.interfaces.remote import announce  # noqa: E402
from rag.retrieval.filters import MAX_VALUES  # noqa: E402

from .guard import RequestGuard, allowed_host_names, header_timeout_protocol  # noqa: E402


class Gate:
    """At most ``concurrency`` requests inside and ``queue_size`` waiting; others are refused."""

    def __init__(self, concurrency: int, queue_size: int) -> None:
        self.slots = threading.BoundedSemaphore(concurrency)
        self.limit = concurrency + queue_size
        self.count = 0
        self.lock = threading.Lock()

    def try_enter(self) -> bool:
        with self.lock:
            if self.count >= self.limit:
                return False
            self.count += 1
        self.slots.acquire()
        return True

    def leave(self) -> None:
        self.slots.release()
        with self.lock:
            self.count -= 1


class HistoryTurn(BaseModel):
    """One earlier turn of the conversation."""

    model_config = ConfigDict(extra="forbid", strict=True)

    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    """Body of ``POST /api/ask``. Types are strict: ``k`` is a JSON integer, not ``"5"``,
    ``5.0`` or ``true``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    question: str = Field(description="The question, up to 2,000 characters.")
    k: int = Field(5, description="Passages to retrieve, 1 to 50.")
    llm: str | None = Field(None, max_length=100, description="Answer backend; default: the server's setting.")
    collections: list[Annotated[str, Field(max_length=200)]] | None = Field(
        None, max_length=MAX_VALUES, description="Only papers of these collections.")
    filters: dict | None = Field(None, description="collections, categories, authors, year_from, year_to.")
    history: list[HistoryTurn] | None = Field(None, description="Earlier turns: [{'role', 'content'}].")


def _bounded_history(history: list[HistoryTurn] | None, settings: Settings) -> list[dict]:
    """``history`` as plain turns; :class:`QuestionError` when it is longer than allowed."""
    turns = [turn.model_dump() for turn in history or []]
    limits = settings.server
    if len(turns) > limits.max_history_turns:
        raise QuestionError(f"The history has {len(turns)} turns; at most {limits.max_history_turns} "
                            "are accepted. Send only the recent ones.")
    size = sum(len(turn["content"]) for turn in turns)
    if size > limits.max_history_chars:
        raise QuestionError(f"The history holds {size:,} characters; at most {limits.max_history_chars:,} "
                            "are accepted. Send only the recent turns, or shorter ones.")
    return turns


def add_docs(api: FastAPI) -> None:
    """``/api/docs``: Swagger UI from the assets the ``fastapi-offline`` package ships, so the
    docs work with no outside request (FastAPI's default loads them from a CDN)."""
    from pathlib import Path

    import fastapi_offline
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    assets = "/api/docs-assets"
    api.mount(assets, StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"), name="docs-assets")

    @api.get("/api/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(openapi_url="/api/openapi.json", title="rag API",
                                   swagger_js_url=f"{assets}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{assets}/swagger-ui.css",
                                   swagger_favicon_url=f"{assets}/favicon.png")


def same_token(given: str | None, token: str) -> bool:
    """Whether ``given`` is ``token``, compared in constant time."""
    return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), token.encode())


def create_api(settings: Settings) -> FastAPI:
    """The FastAPI app with the JSON endpoint (the Gradio page is mounted on it by serve)."""
    api = FastAPI(title="rag", docs_url=None, openapi_url="/api/openapi.json", redoc_url=None)
    add_docs(api)

    @api.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}" for e in error.errors()
        )
        return JSONResponse({"error": f"Bad request: {problems}. Send JSON like "
                                      '{"question": "...", "k": 5}.'}, status_code=400)

    gate = Gate(settings.server.concurrency, settings.server.queue_size)
    offered = settings.server.offered_llms(settings.llm)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": f"{error.detail}. Send JSON like " '{"question": "...", "k": 5}.'},
                            status_code=error.status_code)

    token = settings.server.token_text()

    class Unauthorized(Exception):
        pass

    @api.exception_handler(Unauthorized)
    async def unauthorized(request: Request, error: Unauthorized) -> JSONResponse:
        return JSONResponse({"error": "Missing or wrong token. Send the header 'Authorization: Bearer <token>' "
                                      "with the token the server's operator gave you."},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})

    def signed_in(request: Request) -> None:
        """Nothing without the token, when the server has one (checked before the body is read)."""
        if token is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not same_token(given.strip(), token):
            raise Unauthorized

    @api.api_route("/api/ask", methods=["GET", "HEAD", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def ask_needs_post() -> JSONResponse:
        return JSONResponse({"error": 'Use POST with JSON like {"question": "...", "k": 5}.'}, status_code=405,
                            headers={"Allow": "POST"})

    @api.post("/api/ask", dependencies=[Depends(signed_in)])
    def api_ask(request: AskRequest) -> JSONResponse:
        """Answer a question; returns the ``Answer`` as JSON."""
        if not gate.try_enter():
            return JSONResponse({"error": "The server is busy: too many questions are waiting. "
                                          "Try again in a few seconds."},
                                status_code=503, headers={"Retry-After": "2"})
        try:
            history = _bounded_history(request.history, settings)
            llm = request.llm or settings.llm
            if llm not in offered:
                known = llm in describe_llms()
                raise UnknownLLMError(
                    (f"The answer backend '{llm}' is not offered by this server." if known else
                     f"Unknown model: {llm}.") + f" This server offers: {', '.join(offered)}.")
            answer = ask(request.question, k=request.k, llm=llm, history=history,
                         collections=request.collections, filters=request.filters, settings=settings)
        except UnknownLLMError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        except (LLMUnavailableError, StoreUnavailableError) as error:
            return JSONResponse({"error": str(error)}, status_code=503, headers={"Retry-After": "5"})
        except RagError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        finally:
            gate.leave()
        return JSONResponse(jsonable_encoder(answer))

    @api.get("/api/health")
    def health() -> dict:
        return {"status": "ok"}

    return api


def create_server(settings: Settings | None = None, host: str = "127.0.0.1"):
    """The complete ASGI app: the request guard (routes, hosts, origins, body size), then the
    API routes and the chat page mounted at ``/``."""
    import gradio as gr

    from .app import build_app
    from .render import CSS, ON_LOAD_JS

    settings = settings or Settings()
    demo = build_app(settings).queue(default_concurrency_limit=settings.server.concurrency,
                                     max_size=settings.server.queue_size, api_open=False)
    # Gradio checks the file paths in request values only once an app "has launched", which
    # launch() records and mount_gradio_app does not: without this it copies any file a request
    # names into its cache.
    demo.has_launched = True
    token = settings.server.token_text()
    app = gr.mount_gradio_app(create_api(settings), demo, path="/", css=CSS, js=ON_LOAD_JS,
                              ssr_mode=False, show_error=False, footer_links=[], allowed_paths=[],
                              mcp_server=False,
                              auth=(lambda _user, password: same_token(password, token)) if token else None,
                              auth_message="Sign in with any user name and the token of this server.")
    limits = settings.server
    return RequestGuard(app, allowed_host_names(host, limits.allowed_hosts), limits.max_body_bytes,
                        limits.body_timeout_s)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def serve(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None) -> None:
    """Serve the page and the API until interrupted."""
    import uvicorn

    settings = settings or Settings()
    app = create_server(settings, host)
    limits = settings.server
    print(f"Serving the chat page on http://{host}:{port}/ (JSON API: POST /api/ask)", flush=True)
    announced = announce(settings.index_dir, host, port) if limits.announce else None  # `rag ask` asks here
    # uvicorn shuts down on SIGTERM, then re-raises it to the handler it found: make that an exit
    # that runs the clean-up below instead of the default instant death.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning",
                    http=header_timeout_protocol(limits.header_timeout_s),
                    limit_concurrency=limits.max_connections, timeout_keep_alive=5, ws="none")
    finally:
        if announced:
            announced.unlink(missing_ok=True)
