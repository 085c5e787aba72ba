"""Whether the retrieved passages state what a question asks, beyond being about its topic.

A near miss is about a paper the corpus holds but asks for something its abstract does not
say ("What learning rate was used to train Chinchilla?"): similarity finds the right paper,
and only the words tell that the fact is missing. The checks, each giving the reason:

* a name of several capitalised words ("Decision Transformer") must appear in a retrieved
  passage (retrieval would have found it if the corpus held it);
* numbers the question states ("beat Adam by 10%", "ten times faster") must be stated by the
  paper it is about (the one that names what the question names, else the best retrieved);
* a quantity ("how many layers") must be stated: the thing counted in a sentence of that
  paper that holds a number;
* "how much faster (cheaper, more ...)" about a named paper must be answered by a number next to
  the comparative ("50% cheaper", "4× more"), not by "much faster";
* "When was X released (published, trained ...)?" about a named paper needs a year or a month
  in its abstract;
* an attribute abstracts often leave out (a year, a learning rate, the hardware, the
  authors' lab), when it is what the question asks for, must be named by that paper;
* the last two only when the question names its paper: without a name, a word missing from
  the abstract is more likely a paraphrase than a near miss.
* a claim ("which paper shows that ...") must be covered by that paper: its content words
  (names and framing words left out), by IDF weight, at least ``min_focus_coverage``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..corpus.display import display_text
from ..corpus.names import (
    GENERIC_ACRONYMS,
    mentioned_names,
    mentions,
    name_key,
    named_terms,
)
from ..corpus.text import sentences
from ..index.lexical import LexicalIndex, tokenize
from ..models import Passage
from ..settings import RetrievalSettings
from .quantities import (
    asked_how_much,
    counts_the_thing,
    has_number,
    numbers_claimed,
    stated_numbers,
    states_how_much,
)
from .questions import Question, asks_for_a_thing, is_question, thing_asked_for
from .subject import subject_passage

_UNIT_WORDS = {"how many": "number of", "how much": "amount of"}
# What a near miss asks for about a paper the corpus holds, and abstracts often leave out:
# single words (stemmed) and phrases.
ATTRIBUTES = frozenset(tokenize(
    "year month schedule layers heads company lab laboratory institution affiliation university license "
    "licence hardware gpus tpus resolution price dollars budget funding energy carbon emissions dropout "
    "epochs vocabulary tokenizer speakers authors temperature warmup momentum"
))
ATTRIBUTE_PHRASES = ("learning rate", "batch size", "context window", "context length", "weight decay",
                     "random seed")
# Two or more capitalised words, not where a sentence starts: "Decision Transformer".
_PHRASE = re.compile(r"(?<![.?!:]\s)(?<!^)(?<![\w-])([A-Z][\w-]*(?:\s+[A-Z][\w-]*)+)")
# "When was GPT-4 released?" asks for a date, which abstracts seldom give.
_ASKS_WHEN_MADE = re.compile(r"^\s*when\s+(?:was|were|did|is|has)\s+(?:[\w'-]+\s+){0,6}?(released|published|introduced|"
                             r"announced|launched|proposed|written|presented|unveiled|developed|trained|built|created|"
                             r"come out|came out|appear(?:ed)?)\b", re.IGNORECASE)
_DATE = re.compile(r"\b(?:19|20)\d{2}\b|\b(?:January|February|March|April|May|June|July|August|September|October|"
                   r"November|December)\b")
_CLAIM = re.compile(r"^\s*(?:which|what|does\s+any|is\s+there\s+a|do\s+any)\s+(?:\w+\s+){0,2}?"
                    r"(?:paper|abstract|work|study)\s+(?!(?:is|was|has|does|uses|used)\b)(?:[a-z]+(?:s|ed)|found|"
                    r"made|gave|took|put|set)\b", re.IGNORECASE)  # singular: "which papers report" is a list
# A claim that something beats something else ("Which paper shows GPT-4 beating humans ...?"),
# and what an abstract says when it claims so itself.
_BEATS = re.compile(r"\b(?:outperform\w*|beat(?:s|ing)?|surpass\w*|exceed\w*|better\s+than|superior\s+to)\b", re.IGNORECASE)
_AHEAD = re.compile(r"\b(?:outperform\w*|beat(?:s|ing)?|defeat\w*|surpass\w*|exceed\w*|better|superior|superhuman|"
                    r"wins?|won)\b", re.IGNORECASE)


def _paper_text(doc_id: str, passages: list[Passage]) -> str:
    return " ".join(f"{p.title} {display_text(p.text)}" for p in passages if p.doc_id == doc_id)


def weighted_coverage(words: list[str], text: str, lexical: LexicalIndex) -> float:
    """The share of ``words`` (stemmed) that ``text`` holds, weighted by their IDF (1.0: all)."""
    held = set(tokenize(text))
    weights = {w: lexical.idf(w) for w in words}
    total = sum(weights.values())
    return sum(weight for w, weight in weights.items() if w in held) / total if total else 1.0


def focus_coverage(question: Question, text: str, lexical: LexicalIndex) -> tuple[float, list[str]]:
    """How much of the question's focus words ``text`` holds (see :func:`weighted_coverage`),
    and the focus words it lacks."""
    held = set(tokenize(text))
    return weighted_coverage(question.focus, text, lexical), [w for w in question.focus if w not in held]


_ASKED = "what was asked"


def _phrase(question: Question, missing: list[str]) -> str:
    """The words of the question that name what is missing, as the question wrote them."""
    lowered = question.text.lower()
    for cue, lead in _UNIT_WORDS.items():
        match = re.search(rf"\b{cue}\s+([\w -]+?)(?:\s+(?:does|do|did|is|are|was|were|has|have|had|in|of|for)\b|\?|$)",
                          lowered)
        if match and question.kind == "quantity":
            return f"{lead} {question.text[match.start(1):match.end(1)].strip()}"
    words = [w for w in re.findall(r"[\w-]+", question.text) if tokenize(w) and tokenize(w)[0] in missing]
    if not words and missing == tokenize("authors"):  # "Who developed OpenAI Five?"
        return "authors"
    words = list(dict.fromkeys(words))
    return " ".join(words) if 0 < len(words) <= 4 else _ASKED  # not a string of the question's every word


def _unmentioned(question: Question, missing: list[str], lexical: LexicalIndex, most: int = 3) -> str:
    """The rarest (by IDF) ``most`` of the question's words whose stems are ``missing``, as the
    question wrote them, quoted: '"caption", "picture" or "rival"'."""
    forms: dict[str, str] = {}
    for word in re.findall(r"[\w-]+", question.text):
        stems = tokenize(word)
        if stems and stems[0] in missing:
            forms.setdefault(stems[0], word)
    rarest = sorted(forms, key=lambda stem: -lexical.idf(stem))[:most]
    quoted = [f'"{forms[stem]}"' for stem in sorted(rarest, key=list(forms).index)]
    return " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted) or _ASKED


def _quantity_stated(question: Question, paper: str, strict: bool) -> bool:
    """Whether ``paper`` has a sentence with a number about what ``question`` measures: one
    naming the thing counted ("how many layers"), or, for an amount ("how much experience")
    and whenever not ``strict``, one holding two of the question's content words."""
    head = question.measured[-1:]
    if head and question.counts and any(counts_the_thing(s, head[0], asked=question.text) for s in sentences(paper)):
        return True  # "how many models": a number counting models ("a lone hyperparameter" too)
    numbered = [set(tokenize(s)) for s in sentences(paper) if has_number(s)]
    if not numbered:
        return False
    if not head:
        return True
    if not question.counts and any(head[0] in words for words in numbered):
        return True
    lenient = question.counts is False or not strict
    return lenient and any(len(words & set(question.focus)) >= 2 for words in numbered)


_NAMED_KINDS = frozenset(tokenize(
    "dataset datasets benchmark benchmarks environment environments framework frameworks library libraries language "
    "languages gpu gpus tpu tpus hardware chip chips accelerator accelerators team teams game games suite suites corpus "
    "corpora simulator simulators competition competitions company companies organization organisation university "
    "universities lab labs metric metrics toolkit toolkits platform platforms metal metals element elements"))
"""What a "which" question asks for when its answer is a name ("which dataset": CIFAR-10)."""


def _names_a_thing(question: Question, abstract: str, label: str) -> bool:
    """For "which benchmarks was seq2slate evaluated on": whether a sentence of ``abstract`` that
    holds the thing asked for (its last word: "environments" of "reinforcement learning
    environments") also names one, a name neither the question nor the paper's label writes
    ("frameworks such as TensorFlow"); when no sentence holds the thing, whether any sentence
    names something ("trained on CIFAR10" for "which dataset"). Only for things answered by a name."""
    thing = thing_asked_for(question)
    if not thing or thing[-1] not in _NAMED_KINDS:  # "which situations", "what else": not answered by a name
        return True
    holding = ([s for s in sentences(abstract) if thing[-1] in tokenize(s)]  # "environments", not "learning"
               or sentences(abstract))  # the category word is not written ("TensorFlow" for "which framework")
    known = {name_key(w) for n in [question.text, label]  # what the question writes is no answer to it
             for w in re.findall(r"[\w.'-]+", n) + re.findall(r"[\w.']+", n)} | GENERIC_ACRONYMS  # "non-English", "API"
    names = [n for s in holding for n in [*mentioned_names(s.split(None, 1)[-1]), *named_terms(s)]]  # not "We ..."
    return any(name_key(w) not in known for n in names for w in re.findall(r"[\w.'-]+", n))


_OPPOSITES: dict[str, set[str]] = {}
for _one, _other in (("larger", "smaller"), ("bigger", "smaller"), ("higher", "lower"), ("more", "fewer"),
                     ("more", "less"), ("faster", "slower"), ("increase", "decrease"), ("increases", "decreases"),
                     ("better", "worse"), ("easier", "harder"), ("outperforms", "underperforms"), ("well", "poorly")):
    _OPPOSITES.setdefault(_one, set()).add(_other)
    _OPPOSITES.setdefault(_other, set()).add(_one)


def _says_the_opposite(question: Question, abstract: str) -> str:
    """The sentence of ``abstract`` holding most of a claim's words (at least half) that turns one of
    its comparisons the other way ("smaller β may lead to better peak performance" for a question
    claiming that a larger β does); empty when none does."""
    words = set(question.focus)
    said = [(len(words & set(tokenize(s))) / max(len(words), 1), s) for s in sentences(abstract)]
    share, closest = max(said, default=(0.0, ""))
    if share < 0.5:
        return ""
    asked, held = set(re.findall(r"[a-z]+", question.text.lower())), set(re.findall(r"[a-z]+", closest.lower()))
    turned = [w for w in asked if w not in held and _OPPOSITES.get(w, set()) & held - asked]
    return closest if turned else ""


def _paraphrased(question: Question, abstract: str, embedder, settings: RetrievalSettings) -> bool:
    """Whether a sentence of ``abstract`` is within ``claim_paraphrase_similarity`` of the
    question: the claim in other words ("on par with" for "matches"), which word coverage misses."""
    found = sentences(abstract)
    if embedder is None or not found:
        return False
    similarity = embedder.encode_cached(found, corpus=True) @ embedder.encode_one(question.text)
    return float(similarity.max()) >= settings.claim_paraphrase_similarity


def _names(text: str, name: str) -> bool:
    """Whether ``text`` mentions ``name``, or each capitalised part of it ("BFGS-inspired": BFGS)."""
    parts = [p for p in re.split(r"[\s-]+", name) if p[:1].isupper()]
    return mentions(text, name) or bool(parts) and all(mentions(text, p) for p in parts)


def _unnamed(passage: Passage) -> str:
    """A paper without a name, as a refusal names it: by its label as the source cards show it
    ('the paper on "An optimizer for deep learning"'), or by its opening words where the label
    is only those ('the paper that begins "Text-to-image generation has traditionally…"')."""
    label = display_text(passage.label).rstrip("…. ")
    opening = display_text(passage.title).rstrip("…. ")  # an untitled paper's title is its first words
    if label and " ".join(label.lower().split()[:4]) not in opening.lower():
        return f'the paper on "{label}"'
    words = opening.split()
    return f'the paper that begins "{" ".join(words[:6])}…"' if words else "a paper"


def unstated(question: Question, passages: list[Passage], lexical: LexicalIndex,
             settings: RetrievalSettings, abstract_of=None, embedder=None) -> str | None:
    """Why ``passages`` do not state what ``question`` asks, as a sentence; None when they may.
    ``abstract_of(doc_id)`` gives a paper's whole abstract (default: its retrieved passages);
    with ``embedder``, a claim one of its sentences says in other words is not refused."""
    if not passages:
        return None
    retrieved = " ".join(f"{p.title} {p.label} {display_text(p.text)}" for p in passages)
    if is_question(question.text):  # in a keyword query, neighbouring capitals need not be one name
        unknown = [phrase for phrase in _PHRASE.findall(question.text)
                   if not any(named_terms(word) for word in phrase.split()) and not mentions(retrieved, phrase)]
        if unknown:
            return f"The abstracts do not mention {' or '.join(unknown)}."
    subject = subject_passage(question, passages)
    name = subject.label if subject.named else _unnamed(subject)
    if question.kind in ("list", "comparison"):  # about several papers: what one lacks another may state
        absent = sorted(numbers_claimed(question.text) - stated_numbers(retrieved))
        return f"No abstract states {', '.join(absent)} in this connection." if absent else None
    abstract = display_text(abstract_of(subject.doc_id)) if abstract_of else _paper_text(subject.doc_id, passages)
    paper = f"{subject.title} {abstract}"
    absent = sorted(numbers_claimed(question.text) - stated_numbers(paper))
    if absent:
        return f"The abstracts mention {name} but not {', '.join(absent)} in this connection."
    named = bool(question.names or question.sides)  # sure which paper is meant: a lexical miss can refuse
    if question.kind == "yesno":  # "Does the BFGS-inspired optimizer beat Adam on ImageNet?": it must name both
        others = [n for n in question.sides if not _names(paper, n)]
        if others:
            return f"The abstracts mention {name} but not {' or '.join(others)} in this connection."
    released = _ASKS_WHEN_MADE.search(question.text)
    if released and named and not _DATE.search(paper):  # "When was GPT-4 released?"
        verb = released.group(1).lower()
        return f"The abstracts mention {name} but not when it {'came out' if 'out' in verb else 'was ' + verb}."
    how_much = asked_how_much(question)
    if how_much and named and not states_how_much(paper, how_much):
        return f"The abstracts mention {name} but not how much {how_much}."
    if question.kind == "quantity" and not _quantity_stated(question, paper, strict=named):
        phrase = _phrase(question, question.measured or question.focus)
        return f"The abstracts mention {name} but not {'the number asked for' if phrase == _ASKED else 'its ' + phrase}."
    held = set(tokenize(paper))
    asked_for = " ".join(question.asked)
    asked = [w for w in question.asked if w in ATTRIBUTES and w not in held] if named else []
    phrases = [p for p in ATTRIBUTE_PHRASES if named and " ".join(tokenize(p)) in asked_for
               and p not in paper.lower()]
    if phrases:
        return f"The abstracts mention {name} but not its {phrases[0]}."
    if asked:
        return f"The abstracts mention {name} but not its {_phrase(question, asked)}."
    if question.kind == "which" and not _names_a_thing(question, abstract, subject.label):
        return f"The abstracts mention {name} but do not name its {_phrase(question, sorted(asks_for_a_thing(question)))}."
    if _CLAIM.search(question.text) and _BEATS.search(question.text) and not _AHEAD.search(abstract):
        return (f"No abstract makes that claim; the closest is {name}, which does not say it beats or "
                "outperforms anything.")
    claim = _CLAIM.search(question.text)
    opposite = _says_the_opposite(question, abstract) if claim else ""
    if opposite:
        return f'No abstract makes that claim; {name} says otherwise: "{opposite}"'
    if claim:
        verb = set(tokenize(claim.group(0).split()[-1]))  # "Which abstract estimates ...": not a word of the claim
        coverage, missing = focus_coverage(replace(question, focus=[w for w in question.focus if w not in verb]),
                                           paper, lexical)
        if coverage < settings.min_focus_coverage and not _paraphrased(question, abstract, embedder, settings):
            absent = _unmentioned(question, missing, lexical)
            return f"No abstract makes that claim; the closest is {name}, which does not mention {absent}."
    return None
