"""The Gradio chat page and the JSON API, served together (``rag serve``)."""
