"""What kind of answer a question asks for, and what it asks about.

Kinds: ``quantity`` (how many, how fast, what fraction...), ``list`` (which papers...),
``comparison`` (how do X and Y differ), ``which`` (which model or method, what is it
called), ``finding`` (what did a paper find or propose), ``definition`` (what is X),
``summary`` (summarise or tell me about one paper), ``yesno`` and ``general``. The rules
read the question's wording only; they are checked on the labelled questions of
``evals/data`` (dev half).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..corpus.names import mentioned_names, named_terms
from ..index.lexical import tokenize
from ..settings import QuestionKind
from .mentions import literal_alternatives

Kind = QuestionKind

_PLURAL_SUBJECT = (r"papers?|abstracts?|works?|articles?|studies|methods|approaches|models|systems|techniques|"
                   r"algorithms|architectures|optimizers|networks|benchmarks|datasets|agents|entries|ones")
_LIST = re.compile(
    rf"^\s*(?:(?:which|what)\s+(?:other\s+|of\s+the\s+)?(?:{_PLURAL_SUBJECT})\b(?<!paper)(?<!abstract)(?<!work)(?<!article)"
    r"|(?:please\s+)?list\b|name\s+(?:the|all|every)\b|(?:are\s+there|is\s+there)\s+(?:any\s+)?(?:papers|abstracts|works)"
    r"|(?:find|show|give)\s+(?:me\s+)?(?:the\s+|all\s+)?(?:papers|abstracts|works)"
    r"|(?:any\s+)?papers?\s+(?:that|which|on|about|describing|using|proposing)"
    r"|(?:any\s+)?(?:abstracts?|works?|studies|study)\s+(?:that|which|on|about)"
    r"|in\s+which\s+(?:papers|abstracts|works)|(?:which|what)\s+work\s+in\s+the\s+corpus"
    r"|what\s+(?:are|were)\s+(?:some|the|any)\s+(?:papers|abstracts|works|studies|articles)\b"
    r"|which\s+(?:[\w-]+\s+){0,3}(?:papers|abstracts|works|articles|studies)\b)",
    re.IGNORECASE)
# "Which datasets did the softmax study use?", "What datasets did Sparse Transformers ...": things of one paper
# (it is referred to, or named), not a list of papers.
_THINGS_OF_ONE_PAPER = re.compile(rf"^\s*(?:which|what)\s+(?:[\w-]+\s+){{0,2}}?(?!papers|abstracts|works|articles|studies)"
                                  rf"(?:{_PLURAL_SUBJECT})\s+(?:did|does|do|were|was|are|is)\b", re.IGNORECASE)
_ONE_PAPER = re.compile(r"\b(?:they|it|its|(?:the|this|that)\s+(?:[\w-]+\s+){0,4}?(?:paper|study|abstract|report|work))\b",
                        re.IGNORECASE)
_COMPARISON = re.compile(
    r"\b(?:compare[ds]?|comparison|comparing|differ|differs|differed|difference|differences|different\s+from|"
    r"versus|vs\.?|contrast|contrasting|in\s+common|both|whereas|relate\s+to|agree|disagree|than\s+the\s+earlier)\b"
    r"|\band\b.*(?<!after )(?<!per )(?<!at )(?<!on )(?<!in )(?<!for )(?<!with )\beach\b",  # not "after each segment"
    re.IGNORECASE)
# "What truncation length did PES use?": a length asked for, and what it is the length of.
_LENGTH = re.compile(r"\bwhat\s+(?:is\s+the\s+|was\s+the\s+|were\s+the\s+)?((?:[\w-]+\s+)?(?:length|duration))\b",
                     re.IGNORECASE)
_QUANTITY = re.compile(
    r"\bhow\s+(?:many|much(?!\s+(?:\w+\s+){1,4}?(?:depends?|matters?|relies|rely|affects?|influences?)\b)|fast|long|"
    r"big|large|small|often|far(?!\s+(?:\w+\s+){1,8}?(?:got|gotten|come|progressed|advanced)\b)|quickly|"
    r"deep(?!\s+learning)|wide|accurate|well|cheap|expensive)\b"
    rf"|{_LENGTH.pattern}"
    r"|\bwhat\s+(?:is\s+the\s+|was\s+the\s+|were\s+the\s+)?(?:fraction|percentage|percent|proportion|share|number|amount|"
    r"size|accuracy|score|speed|rate|ratio|range|complexity|latency|cost|count|value|resolution)\b"
    r"|\bhow\s+\w+\s+(?:times|fold)\b|\bwhat\s+(?:fvd|fid|mmlu|bleu)\b|\bby\s+how\s+much\b|\bup\s+to\s+how\b"
    r"|\bby\s+what\s+(?:factor|margin|percentage|fraction)\b",
    re.IGNORECASE)
_MEASURE = re.compile(r"\b(?:accuracy|score|distance|error\s+rate|bit\s+width|width|latency|throughput|perplexity)\b",
                      re.IGNORECASE)
_ASKS = re.compile(r"\?\s*$|^\s*(?:what|which|who|whom|whose|when|where|why|how|is|are|does|do|did|can|could|has|"
                   r"have|was|were|will|would|should)\b", re.IGNORECASE)  # a question, not a keyword query
_HOW_OR_AUX = re.compile(r"^\s*(?:how|why|does|do|did|is|are|can|could|was|were|has|have)\b", re.IGNORECASE)
PLURAL_THING = r"(?:[\w-]+\s+){0,2}?[a-z-]{3,}[^s\W]s"
"""A regex piece: a plural noun of up to three words after "which" ("automatic metrics"), not a
verb such as "does"."""
_WHICH_THINGS = re.compile(rf"(?:^|,)\s*which\s+{PLURAL_THING}\b", re.IGNORECASE)
_SIZE = re.compile(r"\bhow\s+(?:large|big|small)\s+(?:is|are|was|were)\b", re.IGNORECASE)
_LEADING = re.compile(r"^\s*(?:and|also|so|but|then|or|now|okay|ok)\b\s*,?\s*", re.IGNORECASE)
_WHO_MADE = re.compile(r"^\s*who\s+(?:wrote|writes|are\s+the\s+authors|were\s+the\s+authors|is\s+the\s+author|"
                       r"developed|created|built|made|proposed|introduced|invented|trained|released|designed)\b",
                       re.IGNORECASE)
_PREPOSITION = r"(?:(?:in|on|at|for|with|from|by|under)\s+)?"
"""A regex piece: a preposition before the question word ("On which dataset ...", "In what year ...")."""
_ASKED = re.compile(rf"^\s*{_PREPOSITION}(?:what|which|whose)\s+"
                    r"(?:(?:is|was|are|were)\s+(?:the\s+)?)?((?:[\w-]+\s+){0,3}?[\w-]+)"
                    r"(?=\s+(?:is|was|are|were|does|do|did|has|have|had|of|for|in|on|at|to|used|developed|"
                    r"released|trained|written|made|built|achieve[sd]?|get[s]?|reach(?:es)?|show(?:s|ed)?|"
                    r"demonstrate[sd]?|confirm(?:s|ed)?|reveal(?:s|ed)?)\b|\s*\?)",
                    re.IGNORECASE)
_WHEN = re.compile(r"^\s*when\b|\bin\s+what\s+year\b", re.IGNORECASE)
_YESNO = re.compile(r"^\s*(?:is|are|does|do|did|can|could|has|have|was|were|will|would|should)\b", re.IGNORECASE)
_WHICH = re.compile(
    rf"^\s*{_PREPOSITION}(?:which|what)\s+(?!(?:did|does|do|is|are|was|were|has|have|had|can|"
    r"could|would|will)\b)(?:\w+[\s-]){0,3}?(?:model|method|system|optimi[sz]er|algorithm|architecture|benchmark|dataset|"
    r"approach|agent|network|format|technique|estimator|framework|paper|abstract|work|unit|rule|function|name|"
    r"team|language|environment)s?\b"
    r"|\bwhat\s+is\s+(?:it|this|the\s+\w+)\s+called\b|\bwhat\s+(?:is|was)\s+the\s+name\b|\bcalled\??$|\bnamed\??$",
    re.IGNORECASE)
_FINDING = re.compile(
    r"\b(?:find|found|finds|findings?|show|shows|showed|shown|demonstrate[sd]?|conclude[sd]?|discover(?:ed|s)?|results?|"
    r"learn(?:ed|t)?\s+about|propose[sd]?|introduce[sd]?|contribution|claim[s]?|report[s]?|observe[sd]?)\b",
    re.IGNORECASE)
_SUMMARY_REQUEST = re.compile(
    r"^\s*(?:(?:please|can\s+you|could\s+you)\s+)?(?:summari[sz]e|sum\s+up|tl;?\s*dr|describe|explain|tell\s+me\s+(?:more\s+)?about|"
    r"(?:give\s+(?:me\s+)?)?(?:an?\s+)?(?:(?:quick|short|brief|high-level)\s+)?(?:overview|summary|rundown|gist)\s+of)\b(?:\s+(?:of|for|on)\b)?\s*", re.IGNORECASE)
_SUMMARY = re.compile(
    rf"{_SUMMARY_REQUEST.pattern}"
    r"|\b(?:main|key|central|principal|headline)\s+(?:contributions?|ideas?|points?|results?|findings?|takeaways?)\s+"
    r"(?:of|in|from)\b"
    r"|^\s*what\s+(?:is|was)\s+(?:the\s+)?.{0,60}?(?:paper|abstract|study|work|report|card)\b.{0,80}?\s+about\s*[?.]?\s*$"
    r"|^\s*what\s+(?:does|did)\s+(?:the\s+)?.{0,60}?(?:paper|abstract|study|work|report)\b.{0,80}?\s+(?:do|contribute)"
    r"\s*[?.]?\s*$"
    r"|\b(?:paper|abstract)\s+(?:summary|overview|tl;?\s*dr)\s*$"
    r"|^\s*how\s+(?:does|do|did)\s+(?:the\s+)?[\w.-]+(?:\s+[\w.-]+){0,3}\s+work\s*[?.]?\s*$",
    re.IGNORECASE)
_DEFINITION = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+(?:a\s+|an\s+|the\s+)?[\w\s-]{1,40}\??\s*$|define\b|what\s+does\s+.+\s+(?:mean|stand\s+for)\b)",
    re.IGNORECASE)
# Words that say what kind of answer is wanted, not what it is about.
FRAME_WORDS = frozenset(tokenize(
    "paper papers abstract abstracts work works study studies article articles method methods approach approaches "
    "model models system systems fraction percentage percent proportion share number amount value many much "
    "fast long big large small often far quickly use used using uses propose proposed proposes introduce "
    "introduced introduces find found finds show shows showed shown report reported reports compare compared "
    "comparison differ difference different versus contrast both whereas name named called call list "
    "mention mentions mentioned describe describes described discuss discusses discussed present presents "
    "corpus question answer kind type approximately roughly exactly best first exist existing given one two "
    "from per within across over under into onto upon via among between each every any some such it its they "
    "their them there here also just only still yet whether author authors main key "
    "summary overview"
))
GENERIC_LIST_WORDS = frozenset(tokenize(
    "involve study propose apply report results experiments deal concerned talk say explicitly specific mainly way "
    "build rely look run evaluate make design other than new standard classic something kind role either "
    "against collection train training"))
_QUANTITY_NOUN = re.compile(r"\bhow\s+(?:many|much)\s+((?:[\w-]+\s+){0,2}?[\w-]+?)(?:\s+(?:does|do|did|is|are|was|were|"
                            r"has|have|had|can|could|will|would|went|in|of|for|on|at|to|the|it|they)\b|\s*[?,./]|$)",
                            re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    """A question read for its kind (see the module docstring)."""

    text: str
    kind: Kind
    names: list[str] = field(default_factory=list)
    """Specific names it mentions (acronyms, names with digits or capitals)."""
    terms: list[str] = field(default_factory=list)
    """Its words (stemmed) without the words that only frame the question ("which papers", "how many")."""
    focus: list[str] = field(default_factory=list)
    """Those words without the names: what it asks about the things it names."""
    measured: list[str] = field(default_factory=list)
    """For a quantity: the stemmed words of what is measured ("how many parameters" → param)."""
    counts: bool | None = None
    """True for "how many" (a count of things), False for "how much" (an amount), else None."""
    sides: list[str] = field(default_factory=list)
    """The names it mentions, in order, with multi-word capitalised ones ("Neural Optimizer
    Search"): for a comparison, its sides."""
    asked: list[str] = field(default_factory=list)
    """The stemmed words of what it asks for, right after its question word ("What learning
    rate was used ..." asks for "learning rate"; "In what year ..." for "year")."""
    literal: list[list[str]] = field(default_factory=list)
    """For a list question asking for literal mentions (of a name with a digit, or "mention X",
    "experiments on X"): the stemmed words of each thing named ("GPUs or TPUs": [gpu], [tpu])."""


def is_question(text: str) -> bool:
    """Whether ``text`` is worded as a question (not keywords such as "Chinchilla compute-optimal")."""
    return bool(_ASKS.search(text))


def wants_number(question: "Question") -> bool:
    """Whether the answer should state a number: a quantity, a date ("when"), or a comparison
    of amounts ("how large is X compared with Y")."""
    return question.kind == "quantity" or bool(_QUANTITY.search(question.text) or _WHEN.search(question.text))


# What a "which" question asks for when it asks for the paper's own contribution ("which model").
_OWN_THINGS = frozenset(tokenize("model method system optimizer algorithm architecture approach agent "
                                 "network technique estimator rule function name paper abstract work"))
_ASKS_FOR_PAPER = r"^\s*(?:which|what)\s+(?:paper|abstract|work|study|article|report)"
_ONE_PAPER_ASKED = re.compile(rf"{_ASKS_FOR_PAPER}\b", re.IGNORECASE)
_WHICH_PAPER = re.compile(rf"{_ASKS_FOR_PAPER}s?\b", re.IGNORECASE)


_IN_ONE_PAPER = re.compile(r"\b(?:in|from|according to)\s+the\s+(?:work|paper|study|abstract|report|article)\s+"
                           r"(?:where|that|which|in which|whose)\b", re.IGNORECASE)


def asks_one_paper(text: str) -> bool:
    """Whether ``text`` asks which one paper (study, abstract ...) says something ("Which study
    compares ...") or asks about the one it describes ("In the work where ..., what did they
    compare?"): its answer is that paper alone, whatever comparison the question describes."""
    return bool(_ONE_PAPER_ASKED.match(text) or _IN_ONE_PAPER.search(text))


def asks_which_paper(text: str) -> bool:
    """Whether ``text`` asks which paper (abstract, study ...) says something: its answer must name it."""
    return bool(_WHICH_PAPER.match(text))


_ASKS_A_NAME = re.compile(r"\b(?:what (?:is|was|are|were) the names? of|what (?:is|was|are|were) (?:it|they|this|that)\s+"
                          r"called|what (?:do|does|did) (?:they|the authors|it) call|which (?:models?|datasets?|"
                          r"benchmarks?|evaluation sets?|frameworks?|librar(?:y|ies))\b)", re.IGNORECASE)


def asks_for_a_name(text: str) -> bool:
    """Whether ``text`` asks for the name of something ("What is the name of the evaluation set
    ...?", "Which benchmarks ...?"): its answer must give one."""
    return bool(_ASKS_A_NAME.search(text))


def _own_thing(stem: str) -> bool:
    """Whether ``stem`` names a paper's own contribution, in any spelling the stemmer leaves
    apart ("optimis" for "optimiser", "optim" for "optimizer")."""
    return any(stem.startswith(own) or (len(stem) >= 4 and own.startswith(stem)) for own in _OWN_THINGS)


def thing_asked_for(question: "Question") -> list[str]:
    """What a "which" question asks for besides the paper's own contribution ("which
    frameworks", "what retriever", "which GPU model": GPU), as stems in the question's order (the
    last is the thing itself: "environ" in "which reinforcement learning environments"); empty for
    "which model" and "which paper saves memory"."""
    if question.kind != "which" or asks_which_paper(question.text):
        return []
    words = list(question.asked)
    return words[:next((i for i, w in enumerate(words) if _own_thing(w)), len(words))]


def asks_for_a_thing(question: "Question") -> set[str]:
    """The stems of :func:`thing_asked_for`, as a set."""
    return set(thing_asked_for(question))


def question_kind(text: str) -> Kind:
    """The kind of answer ``text`` asks for."""
    one_papers_things = _THINGS_OF_ONE_PAPER.search(text) and (_ONE_PAPER.search(text) or mentioned_names(text))
    if _LIST.search(text) and not one_papers_things:
        return "list"
    if _COMPARISON.search(text):
        return "comparison"
    if _QUANTITY.search(text) or (_MEASURE.search(text) and is_question(text) and not _HOW_OR_AUX.match(text)
                                  and not _WHICH_THINGS.search(text)):  # "which metrics ... score the audio"
        return "quantity"
    if _SUMMARY.search(text):
        return "summary"
    if _WHICH.search(text):
        return "which"
    if _YESNO.search(text):
        return "yesno"
    if _FINDING.search(text):
        return "finding"
    if _DEFINITION.search(text):
        return "definition"
    if not is_question(text):
        return "finding"  # keywords ("Chinchilla compute-optimal"): what the paper on them found
    return "general"


_PAPER_WORD = r"(?:'s)?\s+(?:paper|abstract|study|report|authors|team|work)\b"


def _not_the_paper(text: str):
    """A sort key putting first the names ``text`` speaks of as a paper ("the Codex paper",
    "according to Gopher", "in the Chinchilla paper's comparison")."""
    def key(name: str) -> bool:
        escaped = re.escape(name)
        return not re.search(rf"{escaped}{_PAPER_WORD}|according\s+to\s+(?:the\s+)?{escaped}", text, re.IGNORECASE)
    return key


_SENTENCE_BREAK = re.compile(r"(?<=[.?!])\s+(?=[A-Z])|(?<=:)\s+(?=(?:what|which|how|who|where|when|why|did|does|do|is|are|"
                             r"was|were|can)\b)|\s+(?:--|—)\s+(?=[^?]*\?\s*$)",
                             re.IGNORECASE)  # "OpenAI's report on ...: what was it …?", "that method ... -- what …?"


def last_sentence(text: str) -> str:
    """The last sentence of ``text``: what a question that first describes its paper asks
    ("There was a 16-bit number format ... Which networks did they train?"; "that format where
    every tensor ...: what did it say was hard?")."""
    parts = [p for p in _SENTENCE_BREAK.split(text.strip()) if p]
    return parts[-1] if parts else text


def read_question(text: str) -> Question:
    """``text`` read for its kind, names, focus words and measured quantity; the kind and what
    it asks for from its last sentence."""
    asking = last_sentence(text)
    kind = question_kind(text)
    if kind not in ("comparison", "list") and asking != text:  # "X and Y both ... . What does each use?"
        kind = question_kind(asking)
    about = _SUMMARY_REQUEST.sub("", text) if kind == "summary" else text  # "TL;DR of Gopher": no name "TL"
    names = named_terms(about)
    name_tokens = {t for n in names for t in tokenize(n)}
    sides = mentioned_names(about)
    name_tokens |= {t for side in sides for t in tokenize(side)}
    if kind != "comparison":  # "GPT-3's score, according to the Codex paper" is about Codex
        names, sides = sorted(names, key=_not_the_paper(text)), sorted(sides, key=_not_the_paper(text))
    terms = [t for t in dict.fromkeys(tokenize(text)) if t not in FRAME_WORDS]
    focus = [t for t in terms if t not in name_tokens]
    measured: list[str] = []
    counts = None
    match = _QUANTITY_NOUN.search(asking) if kind in ("quantity", "comparison") else None
    if match:
        counted = tokenize(match.group(1))  # its last word is the thing counted, even "methods"
        measured = [t for t in counted[:-1] if t not in FRAME_WORDS] + counted[-1:]
        counts = match.group(0).lower().split()[1] == "many"
    elif kind == "quantity" and _LENGTH.search(asking):
        measured = tokenize(_LENGTH.search(asking).group(1))
    elif _SIZE.search(asking):
        measured = tokenize("parameters")  # "how large is Gopher": a model's size is its parameter count
    target = _ASKED.match(_LEADING.sub("", asking))  # "And what learning rate did they use?"
    asked = [t for t in tokenize(target.group(1)) if t not in FRAME_WORDS] if target else []
    if _WHO_MADE.match(_LEADING.sub("", asking)):  # "Who developed OpenAI Five?" asks for its authors
        asked = tokenize("authors")
    opener = _LIST.search(text)
    ignored = (FRAME_WORDS - {"question", "answer"}) | GENERIC_LIST_WORDS
    literal = literal_alternatives(text, names, ignored, opener.end() if opener else 0) if kind == "list" else []
    return Question(text, kind, names, terms, focus, measured, counts, sides, asked, literal)
