"""HTML for answers and sources. Everything from a model or the corpus is escaped here, and
markdown images and links in generated text are turned into inert text: an injected prompt
cannot make the page load an outside image or offer an outside link."""

from __future__ import annotations

import html
import math
import re

from rag.answers.citations import MARKER
from rag.answers.scope import closest_papers
from rag.corpus.display import display_text
from rag.models import Answer, Citation, Passage

from .export import EXPORT_JS, answer_markdown
from .inert import defang

CONTEXT_CHARS = 240
FOLD_CHARS = 300


def safe_text(text: str) -> str:
    """Defanged and HTML-escaped ``text``. Messages are HTML blocks, inside which the chat's
    markdown renderer changes nothing, so no markdown escaping is needed."""
    return html.escape(defang(text), quote=False)


def _cite(match: re.Match, titles: dict[int, str], turn: int) -> str:
    n = int(match.group(1))
    title = html.escape(titles.get(n, ""), quote=True)
    return f'<a class="rag-cite" href="#rag-src-{turn}-{n}" title="{title}">[{n}]</a>'


def _similarity(passage: Passage, threshold: float | None) -> str:
    """A closest paper's similarity; one below the relevance ``threshold`` is rounded down, so
    that it never reads as equal to the threshold it failed."""
    if threshold is None or passage.similarity >= threshold:
        return f"similarity {passage.similarity:.3f}"
    return f"similarity {math.floor(passage.similarity * 1000) / 1000:.3f}, below the {threshold:.3f} needed"


def answer_html(answer: Answer, turn: int = 0, threshold: float | None = None) -> str:
    """The chat message of a final answer: cited sentences whose markers lead to this answer's
    own sources (``turn``: the answer's place in the conversation), or a distinct refusal."""
    if answer.refused:
        closest = "".join(
            f"<li>{html.escape(p.label or p.title)} <span class='rag-dim'>({_similarity(p, threshold)})</span></li>"
            for p in closest_papers(answer.closest)[:3]
        )
        return ("<div class='rag-refusal'><strong>Not in the corpus.</strong> "
                f"{safe_text(answer.text)}"
                + (f"<div class='rag-dim'>Closest papers found:</div><ul>{closest}</ul>" if closest else "")
                + "</div>")
    titles = {c.n: c.label or c.title for c in answer.citations}
    labels = sorted({c.label for c in answer.citations if c.label}, key=len, reverse=True)
    lines = []
    for line in answer.text.split("\n"):
        lead = next((label for label in labels if line.startswith(f"{label}: ")), "")
        parts = MARKER.split(line[len(lead) + 2:] if lead else line)
        # MARKER.split alternates text and the marker's number group
        body = "".join(safe_text(part) if i % 2 == 0 else _cite(re.match(r"(\d+)", part), titles, turn)
                       for i, part in enumerate(parts))
        lines.append((f"<strong>{safe_text(lead)}</strong>: " if lead else "") + body)
    return "<div class='rag-answer'>" + "<br>".join(lines) + "</div>"


def question_html(text: str) -> str:
    """A question as the chat shows it: text, never markup; a long one folded after a few lines."""
    if len(text) <= FOLD_CHARS and text.count("\n") < 4:
        return f"<div class='rag-question'>{safe_text(text)}</div>"
    return (f"<div class='rag-question'><details><summary>{safe_text(text[:FOLD_CHARS // 2].rstrip())} … "
            f"<span class='rag-dim'>({len(text):,} characters, show all)</span></summary>{safe_text(text)}"
            "</details></div>")


def draft_html(text: str) -> str:
    """A streamed, not yet checked answer."""
    return f"<div class='rag-draft'>{safe_text(text)}</div>"


def error_html(message: str) -> str:
    """A short error message in the chat."""
    return f"<div class='rag-error'>⚠️ {html.escape(message, quote=False)}</div>"


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


def sources_html(answer: Answer | None, abstracts: dict[str, str], turn: int = 0,
                 threshold: float | None = None, papers: dict[str, dict] | None = None) -> str:
    """The sources of one answer (``turn``: its place in the conversation): one card per
    citation, or the closest passages of a refusal, under the question they belong to.
    ``papers`` gives each cited paper's authors and year, where known."""
    if answer is None:
        return "<div class='rag-sources-empty'>Sources of the answer appear here.</div>"
    asked = answer.question if len(answer.question) <= 120 else answer.question[:117].rstrip() + "…"
    heading = (f"<div class='rag-dim rag-for'>Answer {turn + 1}: “{safe_text(asked)}”</div>"
               "<button class='rag-copy' type='button'>Copy answer with references</button>"
               f"<pre class='rag-md' hidden>{html.escape(answer_markdown(answer, turn), quote=False)}</pre>")
    if answer.refused:
        cards = "".join(
            f"<div class='rag-source rag-closest'><div class='rag-source-title'>{html.escape(p.label or p.title)}</div>"
            f"<div class='rag-dim'>{html.escape(p.source)} · {_similarity(p, threshold)}</div>"
            f"<div class='rag-context'>{_shown(p.text)}</div></div>"
            for p in closest_papers(answer.closest)[:3]
        )
        return (f"<div class='rag-sources' id='rag-ans-{turn}'><h3>Closest passages (not enough to answer)</h3>"
                + heading + cards + "</div>")
    cards = []
    for c in answer.citations:
        where = " · ".join(filter(None, ["/".join(c.collections), c.source, f"chars {c.start}–{c.end}"]))
        cards.append(
            f"<div class='rag-source' id='rag-src-{turn}-{c.n}'>"
            f"<div class='rag-source-title'><span class='rag-n'>[{c.n}]</span> {html.escape(c.label or c.title)}</div>"
            f"{_byline(c.doc_id, (papers or {}).get(c.doc_id, {}))}<div class='rag-dim rag-where'>{html.escape(where)}</div>"
            f"<div class='rag-context'>{_in_context(abstracts.get(c.doc_id, c.text), c)}</div></div>"
        )
    return f"<div class='rag-sources' id='rag-ans-{turn}'><h3>Sources</h3>" + heading + "".join(cards) + "</div>"


_ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}(v\d+)?|[a-z][a-z.-]+/\d{7}(v\d+)?")


def _byline(doc_id: str, paper: dict) -> str:
    """Authors, year and arXiv id (linked to arxiv.org) where the corpus has them; ``paper``
    holds ``authors`` (names) and ``year``; a paper id shaped like an arXiv id is one."""
    parts = []
    names = [str(name) for name in paper.get("authors") or ()]
    if names:
        parts.append(html.escape(", ".join(names[:3]) + (" et al." if len(names) > 3 else "")))
    if paper.get("year"):
        parts.append(html.escape(str(paper["year"])))
    if _ARXIV_ID.fullmatch(doc_id):
        parts.append(f"<a href='https://arxiv.org/abs/{doc_id}' target='_blank' rel='noopener noreferrer'>"
                     f"arXiv:{doc_id}</a>")
    return f"<div class='rag-byline'>{' · '.join(parts)}</div>" if parts else ""


def panel_html(blocks: list[str]) -> str:
    """The sources panel: every answer's sources, the latest shown; a click on a marker in an
    earlier answer shows that answer's sources instead (``ON_LOAD_JS``)."""
    if not blocks:
        return sources_html(None, {})
    hidden = [block.replace("<div class='rag-sources' ", "<div class='rag-sources rag-hidden' ", 1)
              for block in blocks[:-1]]
    return "".join(hidden + blocks[-1:])


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
.rag-sources.rag-hidden { display: none; }
.rag-for { margin: -4px 0 8px; font-style: italic; }
.rag-byline { font-size: 0.85em; }
.rag-where { font-size: 0.75em; }
.rag-copy { font-size: 0.8em; border: 1px solid #d1d5db; border-radius: 6px; padding: 1px 8px; margin-bottom: 8px; }
"""

# Run once when the page loads: a click on a [n] marker shows the sources of the answer it is
# in (hiding the others) and scrolls its card into view.
ON_LOAD_JS = """
() => {
  document.addEventListener("click", function (event) {
    const cite = event.target.closest && event.target.closest("a.rag-cite");
    if (!cite) return;
    event.preventDefault();
    event.stopPropagation();
    const card = document.getElementById((cite.getAttribute("href") || "").slice(1));
    if (!card) return;
    const block = card.closest(".rag-sources");
    document.querySelectorAll("#rag-sources .rag-sources").forEach(function (other) {
      other.classList.toggle("rag-hidden", other !== block);
    });
    card.scrollIntoView({behavior: "smooth", block: "center"});
    card.classList.add("rag-flash");
    setTimeout(function () { card.classList.remove("rag-flash"); }, 1500);
  }, true);
""" + EXPORT_JS + """
}
"""
