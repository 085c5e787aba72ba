"""The answer-backend registry under its documented name (``rag.llms``), for plugins:
``from rag.llms import ChatModelBackend``. It lives in :mod:`rag.answers.backends`."""

from .answers.backends import (  # noqa: F401 - re-exported
    AnswerBackend,
    ChatModelBackend,
    available_llms,
    build_messages,
    describe_llms,
    format_sources,
    get_llm,
    register,
)
