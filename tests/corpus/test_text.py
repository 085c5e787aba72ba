from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from rag.corpus.text import normalize_text, sentence_spans, sentences, short_label


def test_normalize_collapses_whitespace_and_strips_invisible_and_control_characters():
    raw = "\u00a0Bello,\u200b Irwan\n\n\tand\x00 co\u202e.  50\\% cheaper "
    assert normalize_text(raw) == "Bello, Irwan and co. 50% cheaper"


def test_normalize_keeps_superscripts_and_subscripts_apart_from_the_digits_beside_them():
    assert normalize_text("tuning over 10⁻² to 10¹ of H₂O, ﬁne") == "tuning over 10⁻² to 10¹ of H₂O, fine"


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


# Default_Ignorable_Code_Point ranges that are not format characters (Unicode's DerivedCoreProperties).
IGNORABLE_NOT_CF = [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, *range(0x180B, 0x1810), 0x3164,
                    *range(0xFE00, 0xFE10), 0xFFA0, *range(0xFFF0, 0xFFF9), 0x2065, *range(0xE0080, 0xE0100)]


def test_every_format_and_default_ignorable_code_point_is_removed():
    import unicodedata

    hidden = [c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"] + IGNORABLE_NOT_CF
    assert len(hidden) > 170
    assert {0xE0041, 0x061C, 0x3164, 0x034F, 0xFE0F, 0x200D, 0x2066} <= set(hidden)
    for code in hidden:
        assert normalize_text(f"a{chr(code)}b") == "ab", hex(code)


def test_lone_surrogates_are_replaced_not_kept():
    assert normalize_text("a\ud800b") == "a\ufffdb"
    assert normalize_text("a\ud800b").encode("utf-8")
