"""The conversation as Markdown: each answer with numbered references (paper, source file,
offsets, passage), for the page's "copy" and "download" buttons. Built by the server; the
browser only copies or saves the text."""

from __future__ import annotations

from rag.answers.scope import closest_papers
from rag.corpus.display import display_text
from rag.models import Answer

from .inert import defang


def _quoted(text: str) -> str:
    return " ".join(display_text(text).split())


def answer_markdown(answer: Answer, turn: int) -> str:
    """One answer as Markdown: the question, the answer, its references (or the closest papers
    of a refusal)."""
    lines = [f"## {turn + 1}. {defang(_quoted(answer.question))}", "", defang(answer.text.strip()), ""]
    if answer.refused:
        names = [p.label or p.title for p in closest_papers(answer.closest)[:3]]
        if names:
            lines += ["Closest papers (not enough to answer): " + "; ".join(names), ""]
        return "\n".join(lines)
    lines.append("References:")
    lines.append("")
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.label or c.title} — {c.source}, characters {c.start}–{c.end}: "
                     f"“{_quoted(c.text)}”")
    return "\n".join(lines) + "\n"


EXPORT_TITLE = "# Conversation with Ask the ML abstracts"

# Run once when the page loads: "Copy answer with references" copies the Markdown kept in that
# answer's sources block; "Download as Markdown" saves every answer's, oldest first.
EXPORT_JS = """
  document.addEventListener("click", function (event) {
    const copy = event.target.closest && event.target.closest("button.rag-copy");
    if (copy) {
      const text = copy.closest(".rag-sources").querySelector("pre.rag-md").textContent;
      navigator.clipboard.writeText(text).then(function () { copy.textContent = "Copied"; });
      return;
    }
    const save = event.target.closest && event.target.closest("#rag-export");
    if (!save) return;
    const parts = Array.from(document.querySelectorAll("#rag-sources pre.rag-md")).map(function (pre) {
      return pre.textContent;
    });
    const text = "%s\\n\\n" + (parts.length ? parts.join("\\n---\\n\\n") : "(no answers yet)\\n");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], {type: "text/markdown"}));
    link.download = "conversation.md";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }, true);
""" % EXPORT_TITLE
