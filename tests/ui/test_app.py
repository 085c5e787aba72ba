"""The page as built for its settings (no browser needed)."""

import gradio as gr

from ui.app import build_app


def _component(app: gr.Blocks, kind: type, **attributes):
    return next(block for block in app.blocks.values()
                if isinstance(block, kind) and all(getattr(block, k, None) == v for k, v in attributes.items()))


def test_a_backend_that_cannot_run_here_is_not_offered_and_says_why(settings, engine, tmp_path):
    missing = tmp_path / "no-such-model.gguf"
    settings = settings.model_copy(update={
        "llamacpp": settings.llamacpp.model_copy(update={"model_path": missing}),
        "server": settings.server.model_copy(update={"llms": ["extractive", "llamacpp"]}),
    })
    app = build_app(settings)
    menu = _component(app, gr.Dropdown, label="Answer backend")
    assert [choice[1] for choice in menu.choices] == ["extractive"]
    note = _component(app, gr.Markdown, elem_id="rag-unavailable")
    assert note.visible and "llamacpp" in note.value and str(missing) in note.value
    assert "RAG_LLAMACPP__MODEL_PATH" in note.value  # what to do about it


def test_the_passage_slider_spans_what_the_api_accepts(settings, engine):
    slider = _component(build_app(settings), gr.Slider, label="Passages to retrieve")
    assert (slider.minimum, slider.maximum) == (1, 50)
