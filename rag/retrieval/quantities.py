"""Numbers in questions and abstracts: which numbers a text states, which a question claims,
and whether a sentence gives the number a question asks for ("over 400 language models",
"50% cheaper")."""

from __future__ import annotations

import re

from ..index.lexical import tokenize

_NUMBER = re.compile(r"(?<![\w.-])\d+(?:[.,]\d+)*(?![A-Za-z\d]|[.,]\d)")  # not the digits of a name (GPT-4o, 2D),
# nor part of one written short ("280B" is no 28)
NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "hundred": "100", "thousand": "1000",
}
_UNIT = r"(?:hours?|minutes?|seconds?|days?|weeks?|months?|years?|layers?|bits?|fold|times|points?|steps?|shots?)"
_NUMBER_WORD = re.compile(rf"\b({'|'.join(NUMBER_WORDS)})\b(?!-(?!{_UNIT}\b))", re.IGNORECASE)  # "six-hour", not "two-metal"
_MARK = re.compile(r"\(\s*\d+\s*\)")
_SCALED = re.compile(r"(?<![\w.-])(\d+(?:\.\d+)?)[KMBT](?![\w-])")  # "Gopher (280B)": 280 billion, written short
_MAGNITUDE = re.compile(r"\b(?:hundreds|thousands|millions?|billions?|trillions?|dozens)\b", re.IGNORECASE)


def stated_numbers(text: str) -> set[str]:
    """The numbers ``text`` states, written as digits (number words too: "ten" is 10; "280B" is
    280); a bare number in parentheses ("(3)", a footnote or a list mark) states nothing."""
    text = _MARK.sub(" ", text)
    found = {n.replace(",", "") for n in _NUMBER.findall(text)} | set(_SCALED.findall(text))
    return found | {NUMBER_WORDS[w.lower()] for w in _NUMBER_WORD.findall(text)}


_ONLY_ONE = re.compile(r"\b(?:a\s+(?:single|lone|sole)|only\s+one|just\s+one)\b", re.IGNORECASE)


def has_number(text: str) -> bool:
    """Whether ``text`` holds a number: digits, a number word or a magnitude ("tens of thousands")."""
    return bool(_NUMBER.search(text) or _NUMBER_WORD.search(text) or _MAGNITUDE.search(text))


_HOW_MANY_ASKED = re.compile(rf"\b(?:which|what)\s+(?:{'|'.join(NUMBER_WORDS)}|\d+)\b", re.IGNORECASE)
# "could model all three?", "which of the two": a number word standing for things the question already named
_COUNTS_BACK = re.compile(rf"\b(?:all|the|these|those)\s+(?:{'|'.join(NUMBER_WORDS)})\b(?=\s*(?:[?.,;:!]|$|of\b))",
                          re.IGNORECASE)


def numbers_claimed(question: str) -> set[str]:
    """The numbers ``question`` states as facts: not one that says how many things it asks for
    ("Which two quantities do the trends estimate?" claims no 2), nor one standing for things it
    named ("How were pictures, sound and text represented so one model could handle all three?")."""
    return stated_numbers(_COUNTS_BACK.sub(" ", _HOW_MANY_ASKED.sub(" ", question)))


def counts_the_thing(sentence: str, head: str, reach: int = 4, asked: str = "") -> bool:
    """Whether ``sentence`` puts a number within ``reach`` words before a word whose stem is
    ``head`` ("over 400 language models", "tens of thousands of timesteps", "a lone hyperparameter"),
    not merely a number anywhere beside it ("a number of language models ranging from 70 million parameters"). A
    number joined to the thing ("3-digit arithmetic") counts when the word after it is one the
    question ``asked`` uses and the question does not write it so itself ("a 16-bit tensor")."""
    words = re.findall(r"[\w.,%$×-]+", _MARK.sub(" ", sentence))
    for at, word in enumerate(words):
        unit = re.fullmatch(r"\d+(?:\.\d+)?-([a-z]+)", word)  # "3-digit arithmetic", "16-bit"
        if unit and tokenize(unit.group(1))[:1] == [head] and word.lower() not in asked.lower():
            following = tokenize(words[at + 1])[:1] if at + 1 < len(words) else []
            if following and following[0] in tokenize(asked):  # "3-digit arithmetic" for "digits of the arithmetic"
                return True
        if tokenize(word)[:1] == [head]:
            before = " ".join(words[max(0, at - reach):at])
            if has_number(before) or _ONLY_ONE.search(before):  # "defined by a lone hyperparameter": one
                return True
    return False


_COMPARATIVES = frozenset("faster slower cheaper larger smaller bigger better worse higher lower fewer more less longer "
                          "shorter quicker".split())
_HOW_MUCH_MORE = re.compile(r"\bhow\s+much\s+([a-z]+)\b", re.IGNORECASE)
_MULTIPLE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s*[x×](?!\w)")  # "10x", "4×"


def asked_how_much(question) -> str:
    """What a "how much" question asks the size of when it is a comparative, with the noun after
    it ("How much faster is GPT-4o?": faster; "How much less compute ...": less compute), else ""."""
    match = _HOW_MUCH_MORE.search(question.text) if question.kind == "quantity" else None
    if not match or match.group(1).lower() not in _COMPARATIVES:
        return ""
    word = match.group(1).lower()
    phrase = re.search(rf"\bhow\s+much\s+({word}(?:\s+(?!than\b|is\b|are\b|does\b|do\b|did\b)[a-z-]+)?)",
                       question.text, re.IGNORECASE)
    return phrase.group(1) if phrase else word


def states_how_much(text: str, asked: str, reach: int = 3) -> bool:
    """Whether ``text`` puts a number within ``reach`` words before the comparative ``asked`` begins
    with ("50% cheaper", "4× more", "10x faster"), not the bare word ("much faster")."""
    comparative = asked.split()[0].lower()
    words = re.findall(r"[\w.,%$×-]+", _MARK.sub(" ", text))
    for at, word in enumerate(words):
        if word.lower() == comparative:
            before = " ".join(words[max(0, at - reach):at])
            if has_number(before) or _MULTIPLE.search(before):
                return True
    return False
