"""One server for people and programs: the Gradio page at ``/`` and ``POST /api/ask``."""

from __future__ import annotations

import os
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from fastapi import FastAPI, Request  # noqa: E402
from fastapi.encoders import jsonable_encoder  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from starlette.exceptions import HTTPException as StarletteHTTPException  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402

from rag import LLMUnavailableError, RagError, Settings, UnknownLLMError, ask  # noqa: E402



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


class AskRequest(BaseModel):
    """Body of ``POST /api/ask``."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The question, up to 2,000 characters.")
    k: int = Field(5, description="Passages to retrieve, 1 to 50.")
    llm: str | None = Field(None, description="Answer backend; default: the server's setting.")
    collections: list[str] | None = Field(None, description="Only papers of these collections.")
    filters: dict | None = Field(None, description="collections, categories, authors, year_from, year_to.")
    history: list[dict] | None = Field(None, description="Earlier turns: [{'role', 'content'}].")


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
            answer = ask(request.question, k=request.k, llm=request.llm, history=request.history,
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


def create_server(settings: Settings | None = None) -> FastAPI:
    """The complete ASGI app: API routes, then the chat page mounted at ``/``."""
    import gradio as gr

    from .app import build_app
    from .render import CSS, ON_LOAD_JS

    settings = settings or Settings()
    demo = build_app(settings).queue(default_concurrency_limit=settings.server.concurrency,
                                     max_size=settings.server.queue_size)
    return gr.mount_gradio_app(create_api(settings), demo, path="/", css=CSS, js=ON_LOAD_JS,
                               ssr_mode=False, show_error=False, footer_links=[], allowed_paths=[],
                               mcp_server=False)


def serve(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None) -> None:
    """Serve the page and the API until interrupted."""
    import uvicorn

    app = create_server(settings)
    print(f"Serving the chat page on http://{host}:{port}/ (JSON API: POST /api/ask)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
