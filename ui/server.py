"""One server for people and programs: the Gradio page at ``/`` and ``POST /api/ask``."""

from __future__ import annotations

import os
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from typing import Annotated, Literal  # noqa: E402

from fastapi import FastAPI, Request  # noqa: E402
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
    UnknownLLMError,
    ask,
)
from rag.answers.backends import describe_llms  # noqa: E402
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


def create_api(settings: Settings) -> FastAPI:
    """The FastAPI app with the JSON endpoint (the Gradio page is mounted on it by serve)."""
    api = FastAPI(title="rag", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)

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

    @api.post("/api/ask")
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
        except LLMUnavailableError as error:
            return JSONResponse({"error": str(error)}, status_code=503)
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
    app = gr.mount_gradio_app(create_api(settings), demo, path="/", css=CSS, js=ON_LOAD_JS,
                              ssr_mode=False, show_error=False, footer_links=[], allowed_paths=[],
                              mcp_server=False)
    limits = settings.server
    return RequestGuard(app, allowed_host_names(host, limits.allowed_hosts), limits.max_body_bytes,
                        limits.body_timeout_s)


def serve(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None) -> None:
    """Serve the page and the API until interrupted."""
    import uvicorn

    settings = settings or Settings()
    app = create_server(settings, host)
    limits = settings.server
    print(f"Serving the chat page on http://{host}:{port}/ (JSON API: POST /api/ask)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", http=header_timeout_protocol(limits.header_timeout_s),
                limit_concurrency=limits.max_connections, timeout_keep_alive=5, ws="none")
