"""The page over a whole conversation, in a real browser: each answer keeps its own sources,
examples ask, the conversation exports as Markdown, and nothing loads from outside."""

from urllib.parse import urlparse

from .conftest import ask_in_page, shot

QUESTIONS = ["What did the Chinchilla paper find about compute-optimal training?",
             "How fast does GPT-4o respond to audio inputs?",
             "What fraction of HumanEval problems does Codex solve?"]


def test_a_marker_in_an_earlier_answer_shows_that_answers_sources(page, chinchilla):
    from playwright.sync_api import expect
    for n, question in enumerate(QUESTIONS):
        ask_in_page(page, question, n)
    expect(page.locator("#rag-ans-2")).to_be_visible(timeout=10_000)  # drawn a moment after the chat
    assert not page.locator("#rag-ans-0").is_visible()
    first_card_title = page.locator("#rag-src-0-1 .rag-source-title").inner_text()
    page.locator(".rag-answer").first.locator("a.rag-cite").first.click()
    page.wait_for_selector("#rag-src-0-1.rag-flash", timeout=5_000)
    assert page.locator("#rag-ans-0").is_visible() and not page.locator("#rag-ans-2").is_visible()
    assert QUESTIONS[0] in page.locator("#rag-ans-0 .rag-for").inner_text()  # says which question
    assert page.locator("#rag-src-0-1 .rag-source-title").inner_text() == first_card_title
    assert "GPT-4o" not in page.inner_text("#rag-sources")  # no other answer's cards in view
    shot(page, "6-earlier-citation")
    page.locator(".rag-answer").last.locator("a.rag-cite").first.click()
    page.wait_for_selector("#rag-src-2-1.rag-flash", timeout=5_000)
    assert not page.locator("#rag-ans-0").is_visible()


def test_clicking_an_example_asks_it(page):
    page.locator(".rag-example").nth(1).click()
    page.wait_for_function("document.querySelectorAll('.rag-answer, .rag-refusal').length > 0", timeout=120_000)
    assert "evolution strategies" in page.inner_text("#rag-chat")
    assert page.locator("#rag-ans-0").is_visible()


def test_the_conversation_downloads_as_markdown_and_an_answer_copies_with_references(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    try:
        page.goto(server + "/")
        page.wait_for_selector("#rag-question textarea", timeout=60_000)
        ask_in_page(page, QUESTIONS[1], 0)
        ask_in_page(page, "How long should I boil an egg for a runny yolk?", 1)
        with page.expect_download() as download:
            page.click("#rag-export")
        text = open(download.value.path(), encoding="utf-8").read()
        assert text.startswith("# Conversation") and f"## 1. {QUESTIONS[1]}" in text and "## 2. How long" in text
        assert "References:" in text and "232 milliseconds" in text and "characters " in text
        assert "The corpus does not contain" in text
        page.locator(".rag-answer").first.locator("a.rag-cite").first.click()  # the first answer's sources
        page.locator("#rag-ans-0 button.rag-copy").click()
        page.wait_for_function("document.querySelector('#rag-ans-0 button.rag-copy').textContent === 'Copied'")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith(f"## 1. {QUESTIONS[1]}") and "[1] GPT-4o" in copied and "## 2." not in copied
    finally:
        context.close()


def test_nothing_loads_from_outside_the_server(browser, server):
    outside: list[str] = []
    context = browser.new_context()

    def route(request_route):
        host = urlparse(request_route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    try:
        page.goto(server + "/")
        page.wait_for_selector("#rag-question textarea", timeout=60_000)
        ask_in_page(page, QUESTIONS[0], 0)
        page.goto(server + "/api/docs")
        page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
        assert "/api/ask" in page.inner_text(".swagger-ui")
        assert outside == []
    finally:
        context.close()


def test_a_follow_up_naming_a_line_of_the_list_by_its_place_is_about_that_paper(page):
    ask_in_page(page, "Which papers use evolution strategies for unrolled computation graphs?", 0)
    def papers(answer: int) -> list[str]:  # the cards' titles without their "[n] ", in citation order
        titles = page.locator(f"#rag-ans-{answer} .rag-source-title").all_inner_texts()
        return list(dict.fromkeys(title.split("] ", 1)[-1] for title in titles))

    listed = papers(0)
    assert len(listed) >= 2
    ask_in_page(page, "Summarize the second one.", 1)
    assert papers(1) == [listed[1]]
