"""``rag serve-model``: a local GGUF model behind an OpenAI-compatible HTTP API.

One process holds the model; any number of ``rag`` processes (or other tools) use it with
``RAG_LLM=openai`` and ``RAG_OPENAI__BASE_URL=http://host:port/v1``. It answers
``GET /v1/models`` and ``POST /v1/chat/completions`` (plain or streamed as server-sent
events), generating with :class:`rag.plugins.llamacpp.local_model.LocalModel`, one request at a time.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...errors import GenerationTimeoutError, RagError
from ...settings import Settings


class ChatTurn(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "developer"]
    content: str | list[dict] | None = ""

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.get("text", "") for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # OpenAI clients send fields we do not use
    model: str = ""
    messages: list[ChatTurn] = Field(min_length=1)
    stream: bool = False
    max_tokens: int | None = Field(None, ge=1, le=8192)
    max_completion_tokens: int | None = Field(None, ge=1, le=8192)
    temperature: float | None = Field(None, ge=0, le=2)
    seed: int | None = Field(None, ge=0)


def create_app(settings: Settings):
    """The FastAPI app serving the model named by ``settings.llamacpp``."""
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, StreamingResponse

    from .local_model import default_model_path, load_model

    config = settings.llamacpp
    model = load_model(default_model_path(config), config)
    app = FastAPI(title="rag model server")

    def error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
        return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ())[1:])
        return error(400, f"Invalid request: {where or 'body'}: {first.get('msg', 'not valid')}.")

    @app.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [{"id": model.name, "object": "model", "owned_by": "local"}]}

    @app.post("/v1/chat/completions")
    def chat(request: ChatRequest):
        options = config.model_copy(update={
            key: value for key, value in {
                "max_tokens": request.max_completion_tokens or request.max_tokens,
                "temperature": request.temperature, "seed": request.seed,
            }.items() if value is not None
        })
        turns = [{"role": "system" if t.role == "developer" else t.role, "content": t.text()}
                 for t in request.messages]
        reply = model.stream_reply(turns, options, time.monotonic() + options.max_seconds)
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
        head = {"id": ident, "created": created, "model": model.name}
        try:
            first = next(reply, None)  # errors before the first token become HTTP errors
        except GenerationTimeoutError as problem:
            return error(503, str(problem), "timeout")
        except RagError as problem:
            return error(400, str(problem))
        if not request.stream:
            text = (first or "") + "".join(reply)
            return {**head, "object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}

        def events() -> Iterator[str]:
            def chunk(delta: dict, finish: str | None = None) -> str:
                body = {**head, "object": "chat.completion.chunk",
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                return f"data: {json.dumps(body)}\n\n"

            yield chunk({"role": "assistant", "content": first or ""})
            try:
                for piece in reply:
                    yield chunk({"content": piece})
                yield chunk({}, "stop")
            except RagError as problem:  # headers are sent: the stream ends with the reason
                yield chunk({}, "length" if isinstance(problem, GenerationTimeoutError) else "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def serve_model(host: str, port: int, settings: Settings) -> None:
    """Serve ``settings.llamacpp``'s model on ``host:port`` until interrupted."""
    import uvicorn

    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
