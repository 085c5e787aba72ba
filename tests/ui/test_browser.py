"""The chat page in a real browser: Debian's Chromium driven by Playwright."""

from rag.corpus.display import display_text
from rag.corpus.labels import paper_label

from .conftest import ask_in_page, shot

CHINCHILLA_Q = "What did the Chinchilla paper find about compute-optimal training?"


def test_cited_answer_sources_follow_up_and_refusal(page, chinchilla):
    shot(page, "0-first-visit")
    assert "Sources of the answer appear here" in page.inner_text("#rag-sources")

    ask_in_page(page, CHINCHILLA_Q, 0)
    answer = page.locator(".rag-answer").last
    assert answer.locator("a.rag-cite").count() >= 1
    card = page.locator("#rag-src-0-1")
    assert paper_label(None, chinchilla.abstract)[0] in card.inner_text()  # the paper's readable name
    marked = card.locator("mark").first.inner_text()
    assert marked and marked in display_text(chinchilla.abstract)  # the cited span, highlighted in context
    assert "003_1df78942d9a3da2c.txt" in card.inner_text() and "Tony" in card.inner_text()
    answer.locator("a.rag-cite").first.click()
    page.wait_for_selector("#rag-src-0-1.rag-flash", timeout=5_000)  # the marker leads to its source
    shot(page, "1-cited-answer")

    ask_in_page(page, "and what did they find about data?", 1)
    assert paper_label(None, chinchilla.abstract)[0] in page.inner_text("#rag-src-1-1")
    shot(page, "2-follow-up")

    ask_in_page(page, "How long should I boil an egg for a runny yolk?", 2)
    refusal = page.locator(".rag-refusal").last
    assert "Not in the corpus" in refusal.inner_text()
    assert "Closest passages" in page.inner_text("#rag-sources")
    shot(page, "3-not-in-corpus")

    page.click("#rag-clear")
    page.wait_for_function("document.querySelectorAll('.rag-answer, .rag-refusal').length === 0")
    assert "Sources of the answer appear here" in page.inner_text("#rag-sources")


def test_errors_are_short_messages_in_the_chat(page):
    ask_in_page(page, "why " * 600, 0)
    error = page.locator(".rag-error").last.inner_text()
    assert "the limit is 2,000" in error and "Traceback" not in page.content()

    page.click("#rag-settings")
    page.locator("#rag-settings input").first.click()
    page.get_by_role("option", name="openai").click()
    ask_in_page(page, CHINCHILLA_Q, 1)
    error = page.locator(".rag-error").last.inner_text()
    assert "http://127.0.0.1:" in error and "Traceback" not in page.content()
    shot(page, "4-errors")


def test_injected_images_and_links_are_never_live(page):
    page.click("#rag-settings")
    page.locator("#rag-settings input").first.click()
    page.get_by_role("option", name="injected").click()
    ask_in_page(page, CHINCHILLA_Q, 0)
    assert "evil.example" in page.inner_text("#rag-chat")  # visible as text ...
    assert page.locator("#rag-chat img[src*='evil']").count() == 0  # ... never loaded ...
    assert page.locator("a[href*='evil']").count() == 0  # ... and never a link
    shot(page, "5-injection")


def test_what_is_typed_while_an_answer_streams_stays_in_the_box(page):
    page.click("#rag-settings")
    page.locator("#rag-settings input").first.click()
    page.get_by_role("option", name="slow").click()  # streams a word every 0.3 s
    page.fill("#rag-question textarea", CHINCHILLA_Q)
    page.press("#rag-question textarea", "Enter")
    page.wait_for_function("document.querySelector('#rag-question textarea').value === ''", timeout=30_000)
    page.fill("#rag-question textarea", "And what about Gopher?")  # the next question, typed while it streams
    page.wait_for_function("document.querySelectorAll('.rag-answer, .rag-refusal, .rag-error').length > 0",
                           timeout=120_000)
    page.wait_for_timeout(500)  # any update after the answer would have landed
    assert page.input_value("#rag-question textarea") == "And what about Gopher?"


def test_collection_filter_limits_the_sources(page):
    page.click("#rag-settings")
    page.get_by_label("Goto").check()
    ask_in_page(page, "Which papers learn optimizers with reinforcement learning?", 0)
    panel = page.inner_text("#rag-sources")
    assert "Goto" in panel and "Tony" not in panel


def test_latex_in_answers_and_questions_is_shown_as_text(page):
    page.click("#rag-settings")
    page.locator("#rag-settings input").first.click()
    page.get_by_role("option", name="latex").click()
    ask_in_page(page, "What is $$\\phantom{x}\\color{white}{y}$$?", 0)  # refused or not, shown as typed
    ask_in_page(page, CHINCHILLA_Q, 1)
    chat = page.locator("#rag-chat")
    assert chat.locator(".katex, .katex-display, math").count() == 0  # nothing typeset ...
    assert "\\rule{\\textwidth}{\\textheight}" in chat.inner_text() and "\\phantom{x}" in chat.inner_text()  # ... shown


def test_a_very_long_word_stays_inside_its_card(browser):
    from rag.models import Answer, Citation
    from ui.render import CSS, answer_html, sources_html

    word = "x" * 100_000
    text = f"A passage with {word} in it."
    citation = Citation(n=1, doc_id="d", title=f"Title {word}", source="s.txt", text=text, start=0,
                        end=len(text), score=1.0)
    answer = Answer(question="q", text=f"An answer {word} [1].", citations=[citation])
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.set_content(f"<style>{CSS}</style><div style='width: 420px'>{answer_html(answer)}"
                         f"{sources_html(answer, {'d': text})}</div>")
        for selector in (".rag-answer", ".rag-source", ".rag-source-title", ".rag-context"):
            box = page.locator(selector).first
            assert box.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), selector
            assert box.evaluate("e => e.getBoundingClientRect().width") <= 421, selector
    finally:
        page.close()
