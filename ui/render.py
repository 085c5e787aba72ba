"""HTML for answers and sources. Everything from a model or the corpus is escaped here, and
markdown images and links in generated text are turned into inert text: an injected prompt
cannot make the page load an outside image or offer an outside link."""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

from rag.answers.citations import MARKER
from rag.corpus.display import display_text
from rag.models import Answer, Citation, Passage

_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]*)[^)]*\)")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.IGNORECASE)
CONTEXT_CHARS = 240


def _host(url: str) -> str:
    return urlparse(url if "://" in url else f"http://{url}").hostname or "unknown host"


def defang(text: str) -> str:
    """``text`` with markdown images and links made inert and URLs shown as plain text."""
    text = _IMAGE.sub(lambda m: f"[image from {_host(m.group(2))} removed]", text)
    text = _LINK.sub(lambda m: f"{m.group(1)} (link to {_host(m.group(2))} removed)", text)
    return _URL.sub(lambda m: m.group(0).replace("://", "∶//").replace("www.", "www․"), text)


def safe_text(text: str) -> str:
    """Defanged and HTML-escaped ``text``. Messages are HTML blocks, inside which the chat's
    markdown renderer changes nothing, so no markdown escaping is needed."""
    return html.escape(defang(text), quote=False)


def _cite(match: re.Match, titles: dict[int, str]) -> str:
    n = int(match.group(1))
    title = html.escape(titles.get(n, ""), quote=True)
    return f'<a class="rag-cite" href="#rag-src-{n}" title="{title}">[{n}]</a>'


def answer_html(answer: Answer) -> str:
    """The chat message of a final answer: cited sentences, or a distinct refusal."""
    if answer.refused:
        closest = "".join(
            f"<li>{html.escape(p.label or p.title)} <span class='rag-dim'>(similarity {p.similarity:.2f})</span></li>"
            for p in _distinct(answer.closest)[:3]
        )
        return ("<div class='rag-refusal'><strong>Not in the corpus.</strong> "
                f"{safe_text(answer.text)}"
                + (f"<div class='rag-dim'>Closest passages found:</div><ul>{closest}</ul>" if closest else "")
                + "</div>")
    titles = {c.n: c.label or c.title for c in answer.citations}
    labels = sorted({c.label for c in answer.citations if c.label}, key=len, reverse=True)
    lines = []
    for line in answer.text.split("\n"):
        lead = next((label for label in labels if line.startswith(f"{label}: ")), "")
        parts = MARKER.split(line[len(lead) + 2:] if lead else line)
        # MARKER.split alternates text and the marker's number group
        body = "".join(safe_text(part) if i % 2 == 0 else _cite(re.match(r"(\d+)", part), titles)
                       for i, part in enumerate(parts))
        lines.append((f"<strong>{safe_text(lead)}</strong>: " if lead else "") + body)
    return "<div class='rag-answer'>" + "<br>".join(lines) + "</div>"


def question_html(text: str) -> str:
    """A question as the chat shows it: text, never markup."""
    return f"<div class='rag-question'>{safe_text(text)}</div>"


def draft_html(text: str) -> str:
    """A streamed, not yet checked answer."""
    return f"<div class='rag-draft'>{safe_text(text)}</div>"


def error_html(message: str) -> str:
    """A short error message in the chat."""
    return f"<div class='rag-error'>⚠️ {html.escape(message, quote=False)}</div>"


def _distinct(passages: list[Passage]) -> list[Passage]:
    seen: set[str] = set()
    return [p for p in passages if not (p.doc_id in seen or seen.add(p.doc_id))]


def _in_context(abstract: str, citation: Citation) -> str:
    """The passage inside its abstract (cut around it), the cited sentences marked."""
    start, end = citation.start, citation.end
    left = max(0, start - CONTEXT_CHARS)
    right = min(len(abstract), end + CONTEXT_CHARS)
    marks = sorted(citation.highlights) or [(start, end)]
    pieces, cursor = [], start
    for mark_start, mark_end in marks:
        pieces.append(_shown(abstract[cursor:mark_start]))
        pieces.append(f"<mark>{_shown(abstract[mark_start:mark_end])}</mark>")
        cursor = mark_end
    pieces.append(_shown(abstract[cursor:end]))
    return ("…" if left else "") + _shown(abstract[left:start]) + \
        f"<span class='rag-passage'>{''.join(pieces)}</span>" + \
        _shown(abstract[end:right]) + ("…" if right < len(abstract) else "")


def _shown(text: str) -> str:
    """A stretch of an abstract as a reader sees it: LaTeX readable, HTML escaped. Offsets
    index the stored abstract, so each stretch is cut first and made readable after."""
    return html.escape(display_text(text))


def sources_html(answer: Answer | None, abstracts: dict[str, str]) -> str:
    """The sources panel: one card per citation, or the closest passages of a refusal."""
    if answer is None:
        return "<div class='rag-sources-empty'>Sources of the answer appear here.</div>"
    if answer.refused:
        cards = "".join(
            f"<div class='rag-source rag-closest'><div class='rag-source-title'>{html.escape(p.label or p.title)}</div>"
            f"<div class='rag-dim'>{html.escape(p.source)} · similarity {p.similarity:.2f}</div>"
            f"<div class='rag-context'>{_shown(p.text)}</div></div>"
            for p in _distinct(answer.closest)[:3]
        )
        return "<div class='rag-sources'><h3>Closest passages (not enough to answer)</h3>" + cards + "</div>"
    cards = []
    for c in answer.citations:
        where = " · ".join(filter(None, ["/".join(c.collections), c.source, f"chars {c.start}–{c.end}"]))
        cards.append(
            f"<div class='rag-source' id='rag-src-{c.n}'>"
            f"<div class='rag-source-title'><span class='rag-n'>[{c.n}]</span> {html.escape(c.label or c.title)}</div>"
            f"<div class='rag-dim'>{html.escape(where)}</div>"
            f"<div class='rag-context'>{_in_context(abstracts.get(c.doc_id, c.text), c)}</div></div>"
        )
    return "<div class='rag-sources'><h3>Sources</h3>" + "".join(cards) + "</div>"


CSS = """
.rag-cite { font-weight: 600; text-decoration: none; cursor: pointer; padding: 0 1px; }
.rag-refusal { border-left: 4px solid #d97706; background: #fffbeb; color: #78350f; padding: 8px 12px; border-radius: 6px; }
.rag-error { border-left: 4px solid #dc2626; background: #fef2f2; color: #7f1d1d; padding: 8px 12px; border-radius: 6px; }
.rag-draft { opacity: 0.85; }
.rag-dim { color: #6b7280; font-size: 0.85em; }
.rag-source { border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 10px; margin-bottom: 10px; }
.rag-source.rag-flash { box-shadow: 0 0 0 3px #60a5fa; }
.rag-source-title { font-weight: 600; }
.rag-n { color: #2563eb; }
.rag-context { font-size: 0.9em; line-height: 1.45; margin-top: 6px; }
.rag-source, .rag-answer, .rag-refusal, .rag-draft, .rag-error, .rag-question { overflow-wrap: anywhere; word-break: break-word; }
.rag-passage { background: #eff6ff; }
.rag-context mark { background: #fde68a; padding: 0 1px; }
"""

# Run once when the page loads: a click on a [n] marker scrolls its source card into view.
ON_LOAD_JS = """
() => {
  document.addEventListener("click", function (event) {
    const cite = event.target.closest && event.target.closest("a.rag-cite");
    if (!cite) return;
    event.preventDefault();
    event.stopPropagation();
    const card = document.getElementById((cite.getAttribute("href") || "").slice(1));
    if (!card) return;
    card.scrollIntoView({behavior: "smooth", block: "center"});
    card.classList.add("rag-flash");
    setTimeout(function () { card.classList.remove("rag-flash"); }, 1500);
  }, true);
}
"""
