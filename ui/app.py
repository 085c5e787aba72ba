"""The chat page: a Gradio Blocks app that streams cited answers beside a sources panel.

The conversation lives on the server (a ``gr.State`` per browser session); the chat shown in
the page is rebuilt from it on every update. No value a client sends is ever returned as a
component value, so a client cannot make the server echo (and Gradio serve) a file path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from rag import (  # noqa: E402
    Answer,
    Progress,
    QuestionError,
    RagError,
    Settings,
    UnknownLLMError,
    stream_ask,
)
from rag.answers.backends import describe_llms, why_unavailable  # noqa: E402
from rag.answers.pipeline import MAX_K  # noqa: E402
from rag.index.engine import get_engine  # noqa: E402
from rag.retrieval.questions import question_kind  # noqa: E402

from .render import (  # noqa: E402
    answer_html,
    draft_html,
    error_html,
    panel_html,
    question_html,
    sources_html,
)

EXAMPLES = [
    "What did the Chinchilla paper find about compute-optimal training?",
    "Which papers use evolution strategies for unrolled computation graphs?",
    "How fast does GPT-4o respond to audio inputs?",
    "What fraction of HumanEval problems does Codex solve?",
    "Which papers report experiments on CIFAR-10?",
]


@dataclass(frozen=True)
class Turn:
    """One exchange of the conversation, as the server wrote it; a turn that ended in an error
    stays on screen but is not history a follow-up leans on."""

    question: str
    reply_html: str
    answered: bool = True
    sources_html: str = ""
    answer_text: str = ""  # what a follow-up refers back to ("the second one")


def chat_messages(turns: list[Turn]) -> list[dict]:
    """The Chatbot value: every message is HTML this server rendered."""
    messages: list[dict] = []
    for turn in turns:
        messages.append({"role": "user", "content": question_html(turn.question)})
        messages.append({"role": "assistant", "content": turn.reply_html})
    return messages


def _as_k(value: object) -> int:
    """The slider's number as a whole number of passages (the browser sends floats)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise QuestionError(f"The number of passages must be a whole number from 1 to {MAX_K}.")
    return int(value)


def _as_names(value: object, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise QuestionError(f"The {what} filter must be a list of names.")
    return value


def _as_year(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise QuestionError("A year filter must be a whole number.")
    return int(value)


def answered_turn(answer: Answer, turn: int, settings: Settings) -> Turn:
    """The turn of a final answer: its message and its own sources, numbered by ``turn``."""
    engine = get_engine(settings)
    abstracts = {c.doc_id: engine.abstract(c.doc_id) for c in answer.citations}
    papers = {}
    for c in answer.citations:
        row = engine.rows[rows[0]] if (rows := engine.rows.of_paper(c.doc_id)) else None
        papers[c.doc_id] = {"authors": row.authors, "year": row.year} if row else {}
    threshold = settings.retrieval.relevance_threshold(question_kind(answer.query or answer.question))
    return Turn(answer.question, answer_html(answer, turn, threshold),
                sources_html=sources_html(answer, abstracts, turn, threshold, papers), answer_text=answer.text)


def respond(question: object, llm: object, k: object, collections: object, categories: object,
            year_from: object, year_to: object, turns: list[Turn], settings: Settings,
            offered: list[str], years_known: bool) -> Iterator[tuple[list[dict], object, str, list[Turn]]]:
    """The chat handler: yields (chat messages, sources panel, textbox, turns) as the answer
    streams. The textbox is cleared once, when the question is taken: what the user types while
    the answer streams is theirs (later updates leave it alone). ``turns`` is the session's
    conversation, kept on the server."""
    turns = list(turns or [])[-settings.server.max_history_turns:] if settings.server.max_history_turns else []
    shown = question if isinstance(question, str) else ""
    pending = turns + [Turn(shown, draft_html("…"), answered=False)]
    yield chat_messages(pending), gr.skip(), "", turns
    draft = ""
    try:
        if llm not in offered:
            raise QuestionError(f"The answer backend '{str(llm)[:40]}' is not offered here. "
                                f"Offered: {', '.join(offered)}.")
        filters = {"collections": _as_names(collections, "collection") or None,
                   "categories": _as_names(categories, "category") or None}
        if years_known:
            filters.update(year_from=_as_year(year_from), year_to=_as_year(year_to))
        history = [{"role": role, "content": said} for t in turns if t.answered
                   for role, said in (("user", t.question), ("assistant", t.answer_text))]
        for item in stream_ask(question, k=_as_k(k), llm=llm, history=history, filters=filters,  # type: ignore[arg-type]
                               settings=settings, progress=True):
            if isinstance(item, Progress):  # a local model may take seconds before its first word
                pending[-1] = Turn(shown, draft_html(item.message + " …"), answered=False)
                yield chat_messages(pending), gr.skip(), gr.skip(), turns
            elif isinstance(item, Answer):
                done = turns + [answered_turn(item, len(turns), settings)]
                yield chat_messages(done), panel_html([t.sources_html for t in done if t.sources_html]), gr.skip(), done
            else:
                draft += item
                pending[-1] = Turn(shown, draft_html(draft), answered=False)
                yield chat_messages(pending), gr.skip(), gr.skip(), turns
    except RagError as error:
        failed = turns + [Turn(shown, error_html(str(error)), answered=False)]
        yield chat_messages(failed), gr.skip(), gr.skip(), failed
    except Exception as error:  # noqa: BLE001 - a person gets one line, never a traceback
        failed = turns + [Turn(shown, error_html(
            f"Something went wrong ({type(error).__name__}). Try again; if it persists, check the server log."),
            answered=False)]
        yield chat_messages(failed), gr.skip(), gr.skip(), failed


def _asking(handler, text: str):
    """A click handler that asks the example ``text`` with the page's settings."""
    def ask_example(llm, k, collections, categories, year_from, year_to, turns):
        yield from handler(text, llm, k, collections, categories, year_from, year_to, turns)
    return ask_example


def build_app(settings: Settings | None = None) -> gr.Blocks:
    """The chat page for ``settings`` (default: ``Settings()``)."""
    settings = settings or Settings()
    engine = get_engine(settings)  # builds the index if it is missing
    offered = settings.server.offered_llms(settings.llm)
    unknown = [name for name in offered if name not in describe_llms()]
    if unknown:
        raise UnknownLLMError(f"Unknown model: {', '.join(unknown)} (in RAG_SERVER__LLMS or RAG_LLM). "
                              f"Known models: {', '.join(describe_llms())}.")
    unavailable = {name: why for name in offered if (why := why_unavailable(name, settings))}
    offered = [name for name in offered if name not in unavailable] or ["extractive"]

    def handler(question, llm, k, collections, categories, year_from, year_to, turns):
        yield from respond(question, llm, k, collections, categories, year_from, year_to, turns,
                           settings, offered, bool(engine.years))

    with gr.Blocks(title="Ask the ML abstracts", analytics_enabled=False) as app:
        gr.Markdown(
            "## Ask the ML abstracts\n"
            f"Questions are answered from {engine.manifest['papers']} paper abstracts, with numbered "
            "citations you can check. Click a **[n]** to see its passage; when the abstracts do "
            "not hold the answer, it says so."
        )
        turns = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(elem_id="rag-chat", label="Conversation", height=520,
                                     feedback_options=None, buttons=["copy"], render_markdown=True,
                                     latex_delimiters=[],
                                     placeholder="Ask a question about the papers.")
                with gr.Row():
                    question = gr.Textbox(elem_id="rag-question", show_label=False, scale=5,
                                          placeholder="Ask about the papers… (Enter to send)",
                                          max_lines=4, max_length=settings.answer.max_question_chars * 2)
                    send = gr.Button("Ask", elem_id="rag-ask", variant="primary", scale=1, min_width=80)
                with gr.Row(elem_id="rag-examples"):
                    examples = [gr.Button(text, size="sm", variant="secondary", elem_classes=["rag-example"])
                                for text in EXAMPLES]
                with gr.Row():
                    clear = gr.Button("Clear chat", elem_id="rag-clear", size="sm")
                    gr.Button("Download as Markdown", elem_id="rag-export", size="sm")  # handled in the page
            with gr.Column(scale=2):
                with gr.Accordion("Settings", open=False, elem_id="rag-settings"):
                    llm = gr.Dropdown(offered, value=offered[0], label="Answer backend")
                    gr.Markdown("\n".join(f"- *{name}* is not available here: {why}" for name, why in unavailable.items()),
                                elem_id="rag-unavailable", visible=bool(unavailable))
                    k = gr.Slider(1, MAX_K, value=5, step=1, label="Passages to retrieve")
                    collections = gr.CheckboxGroup(engine.collections, value=[], visible=bool(engine.collections),
                                                   label="Only these collections (none ticked: all)")
                    categories = gr.Dropdown(engine.categories, value=[], multiselect=True,
                                             visible=bool(engine.categories), label="Only these categories (none: all)")
                    first, last = (engine.years[0], engine.years[-1]) if engine.years else (0, 0)
                    year_from = gr.Number(first, label="From year", precision=0, visible=bool(engine.years))
                    year_to = gr.Number(last, label="To year", precision=0, visible=bool(engine.years))
                sources = gr.HTML(sources_html(None, {}), elem_id="rag-sources")
        options = [llm, k, collections, categories, year_from, year_to, turns]
        inputs = [question] + options
        outputs = [chatbot, sources, question, turns]
        question.submit(handler, inputs, outputs, api_name="chat")
        send.click(handler, inputs, outputs, api_name=False)
        for button, text in zip(examples, EXAMPLES):
            button.click(_asking(handler, text), options, outputs, api_name=False)  # a click asks it

        def forget():
            return [], sources_html(None, {}), "", []

        clear.click(forget, None, outputs, api_name=False)
        chatbot.clear(forget, None, outputs, api_name=False)  # the chat's own trash button
    return app
