"""The chat page: a Gradio Blocks app that streams cited answers beside a sources panel."""

from __future__ import annotations

import os
from collections.abc import Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from rag import Answer, RagError, Settings, stream_ask  # noqa: E402
from rag.engine import get_engine  # noqa: E402
from rag.llms import describe_llms  # noqa: E402

from .render import answer_html, draft_html, error_html, sources_html  # noqa: E402

EXAMPLES = [
    "What did the Chinchilla paper find about compute-optimal training?",
    "Which papers use evolution strategies for unrolled computation graphs?",
    "How fast does GPT-4o respond to audio inputs?",
    "What fraction of HumanEval problems does Codex solve?",
    "Which papers study scaling laws for language models?",
]
HIDDEN_BACKENDS = {"fake"}  # test doubles are not offered to people


def respond(question: str, messages: list[dict], llm: str, k: float, collections: list[str],
            settings: Settings, categories: list[str] | None = None, years: tuple | None = None
            ) -> Iterator[tuple[list[dict], str, str]]:
    """The chat handler: yields (messages, sources panel, cleared textbox) as the answer streams."""
    history = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    messages = messages + [{"role": "user", "content": question},
                           {"role": "assistant", "content": draft_html("…")}]
    yield messages, gr.skip(), ""
    draft = ""
    try:
        filters = {"collections": collections or None, "categories": categories or None,
                   "year_from": years[0] if years else None, "year_to": years[1] if years else None}
        for item in stream_ask(question, k=int(k), llm=llm, history=history, filters=filters,
                               settings=settings):
            if isinstance(item, Answer):
                messages[-1] = {"role": "assistant", "content": answer_html(item)}
                engine = get_engine(settings)
                abstracts = {c.doc_id: engine.abstract(c.doc_id) for c in item.citations}
                yield messages, sources_html(item, abstracts), ""
            else:
                draft += item
                messages[-1] = {"role": "assistant", "content": draft_html(draft)}
                yield messages, gr.skip(), ""
    except RagError as error:
        messages[-1] = {"role": "assistant", "content": error_html(str(error))}
        yield messages, gr.skip(), ""
    except Exception as error:  # noqa: BLE001 - a person gets one line, never a traceback
        messages[-1] = {"role": "assistant", "content": error_html(
            f"Something went wrong ({type(error).__name__}). Try again; if it persists, check the server log.")}
        yield messages, gr.skip(), ""


def build_app(settings: Settings | None = None) -> gr.Blocks:
    """The chat page for ``settings`` (default: ``Settings()``)."""
    settings = settings or Settings()
    engine = get_engine(settings)  # builds the index if it is missing
    backends = [name for name in describe_llms() if name not in HIDDEN_BACKENDS]

    def handler(question, messages, llm, k, collections, categories, year_from, year_to):
        years = (int(year_from), int(year_to)) if engine.years else None
        yield from respond(question, messages or [], llm, k, collections, settings, categories, years)

    with gr.Blocks(title="Ask the ML abstracts", analytics_enabled=False) as app:
        gr.Markdown(
            "## Ask the ML abstracts\n"
            f"Questions are answered from {engine.manifest['papers']} paper abstracts, with numbered "
            "citations you can check. Click a **[n]** to see its passage; when the abstracts do "
            "not hold the answer, it says so."
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(elem_id="rag-chat", label="Conversation", height=520,
                                     feedback_options=None, buttons=["copy"], render_markdown=True,
                                     placeholder="Ask a question about the papers.")
                with gr.Row():
                    question = gr.Textbox(elem_id="rag-question", show_label=False, scale=5,
                                          placeholder="Ask about the papers… (Enter to send)",
                                          max_lines=4, max_length=settings.answer.max_question_chars * 2)
                    send = gr.Button("Ask", elem_id="rag-ask", variant="primary", scale=1, min_width=80)
                clear = gr.Button("Clear chat", elem_id="rag-clear", size="sm")
                gr.Examples(EXAMPLES, inputs=question, label="Examples the corpus answers well")
            with gr.Column(scale=2):
                sources = gr.HTML(sources_html(None, {}), elem_id="rag-sources")
        with gr.Accordion("Settings", open=False, elem_id="rag-settings"):
            llm = gr.Dropdown(backends, value=settings.llm if settings.llm in backends else backends[0],
                              label="Answer backend")
            k = gr.Slider(1, 20, value=5, step=1, label="Passages to retrieve")
            collections = gr.CheckboxGroup(engine.collections, value=[], visible=bool(engine.collections),
                                           label="Only these collections (none ticked: all)")
            categories = gr.Dropdown(engine.categories, value=[], multiselect=True, visible=bool(engine.categories),
                                     label="Only these categories (none: all)")
            first, last = (engine.years[0], engine.years[-1]) if engine.years else (0, 0)
            year_from = gr.Number(first, label="From year", precision=0, visible=bool(engine.years))
            year_to = gr.Number(last, label="To year", precision=0, visible=bool(engine.years))
        inputs = [question, chatbot, llm, k, collections, categories, year_from, year_to]
        outputs = [chatbot, sources, question]
        question.submit(handler, inputs, outputs, api_name="chat")
        send.click(handler, inputs, outputs, api_name=False)
        clear.click(lambda: ([], sources_html(None, {}), ""), None, outputs, api_name=False)
    return app
