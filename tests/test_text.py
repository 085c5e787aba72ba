from hypothesis import given, settings as hsettings, strategies as st

from rag.text import normalize_text, sentence_spans, sentences, short_label


def test_normalize_collapses_whitespace_and_strips_invisible_and_control_characters():
    raw = "\u00a0Bello,\u200b Irwan\n\n\tand\x00 co\u202e.  50\\% cheaper "
    assert normalize_text(raw) == "Bello, Irwan and co. 50% cheaper"


def test_normalize_is_idempotent_on_seed_like_text():
    text = "GPT-4o is\n fast.\u00a0It's 50\\% cheaper."
    assert normalize_text(normalize_text(text)) == normalize_text(text)


def test_sentences_do_not_split_abbreviations_or_decimals():
    text = ("New tasks (e.g. new elements) work. Our model solves 28.8% of the problems, "
            "while GPT-J solves 11.4%. Smith et al. agree. Next one!")
    assert sentences(text) == [
        "New tasks (e.g. new elements) work.",
        "Our model solves 28.8% of the problems, while GPT-J solves 11.4%.",
        "Smith et al. agree.",
        "Next one!",
    ]


@hsettings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?ABe\n\u00a0")), max_size=200))
def test_sentence_spans_slice_normalised_text_exactly(raw):
    text = normalize_text(raw)
    spans = sentence_spans(text)
    for start, end in spans:
        piece = text[start:end]
        assert piece and piece == piece.strip()
    assert [s for s, _ in spans] == sorted(s for s, _ in spans)
    # nothing but whitespace is lost between sentences
    covered = "".join(text[s:e] for s, e in spans)
    assert covered.replace(" ", "") == text.replace(" ", "")


def test_short_label_cuts_the_first_sentence_at_a_word():
    label = short_label("One two three four five six seven eight nine ten eleven twelve thirteen. Next.")
    assert label == "One two three four five six seven eight nine ten eleven twelve…"
    assert short_label("Short title. Then more.") == "Short title"
