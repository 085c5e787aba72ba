"""What a question asks of an abstract's sentences beyond its kind, and the sentences that answer
it: why (the reasons an abstract gives before its own work), why its own work does well, by how
much one thing beat another, what an abstract ends with; and the clause of a question that asks."""

from __future__ import annotations

import re

from ..retrieval.quantities import has_number
from ..retrieval.questions import Question, asks_one_paper, last_sentence

# "Why does it argue ...?", "What was wrong with the earlier methods?", "What makes X attractive?": the
# reasons an abstract gives before it says what its own work does.
_PRIOR = r"(?:earlier|previous|prior|existing|conventional|current|traditional|older|classic(?:al)?|standard)"
_TROUBLE = r"(?:wrong|problems?|issues?|limitations?|drawbacks?|shortcomings?|weakness(?:es)?|failings?|difficult(?:y|ies))"
_ASKS_MOTIVATION = re.compile(
    rf"(?:^|,\s*)why\b|\b(?:reasons?|motivations?|rationale)\s+(?:why|for|behind)\b|\bwhy\b.*\bmatters?\b|"
    rf"(?<!-)\bmotivat(?:es|ed|ing)\b|\bprompt(?:ed|ing)\b|\bled\s+(?:them|the\s+authors|it)\s+to\b|"
    rf"\bwhat\b.*?\s(?:makes|made)\b.*\b(?:attractive|appealing|worth\w*|useful|important|necessary|"
    rf"promising|needed|hard|difficult|challenging|costly|expensive|slow|impractical)\b|\b(?:not\s+(?:well\s+)?understood|poorly\s+understood|unclear|open\s+question)\b|"
    rf"\b{_TROUBLE}\b(?=.*\b{_PRIOR}\b)|\b{_PRIOR}\b.*\b(?:{_TROUBLE}|fail\w*|struggl\w*)\b|"
    rf"\b(?:{_TROUBLE}|challenges?)\b.*\b(?:fix|solve|address|overcome|tackle|remedy)\w*", re.IGNORECASE)
# "Why is GAN-TTS fast?", "Why does NRES converge faster?": why its own work does well, which it says itself.
_WHY_IT_WORKS = re.compile(r"^\s*why\b.*\b(?:fast\w*|quick\w*|better|best|efficient\w*|cheap\w*|fewer|less|smaller|"
                           r"outperform\w*|beat\w*|surpass\w*|exceed\w*|improv\w*|converg\w*|succeed\w*|work(?:s|ed)?\s+"
                           r"(?:so\s+)?well|accurate|stable|scal(?:e|es)\s+(?:so\s+)?well)\b", re.IGNORECASE)
_CAUSE = re.compile(r"\b(?:thanks to|because|due to|since|which makes|makes? (?:it|them)|allows?|enables?|reduc\w*|"
                    r"by (?:using|\w+ing))\b", re.IGNORECASE)
# "What does the Gopher paper end by discussing?": its last sentence, or the one it opens with "Finally".
_ASKS_END = re.compile(r"\b(?:end(?:s|ed)?\s+(?:by|with)|conclud(?:es|ed)?\s+(?:by|with)|clos(?:es|ed)?\s+(?:by|with)|"
                       r"finally)\b", re.IGNORECASE)
_FINALLY = re.compile(r"^\W*(?:finally|lastly|in closing)\b", re.IGNORECASE)
# "By how much did Chinchilla beat Gopher on MMLU?": the margin, where a sentence puts a number to a lead.
_ASKS_MARGIN = re.compile(r"\bhow\s+(?:much|far)\b.*\b(?:beat|outperform|improve|exceed|surpass)", re.IGNORECASE)
_LEAD = re.compile(r"\b(?:improv\w*|outperform\w*|better|greater|higher|exceed\w*|surpass\w*|gains?|ahead)\b",
                   re.IGNORECASE)
_WH = re.compile(r"^\s*(?:and\s+|but\s+)?(?:what|which|how|who|where|when)\b", re.IGNORECASE)
_REASON = re.compile(r"\b(?:because|since|due to|requires?|important|crucial|attractive|limit(?:s|ed|ation)?|struggl\w*|"
                     r"fail\w*|poor\w*|lack\w*|suffer\w*|difficult\w*|challeng\w*|expensive|costly|slow|bottleneck|"
                     r"however|unfortunately|inefficien\w*|(?:high|large) variance|bias(?:ed)?|(?:less|little) is known|"
                     r"unclear|remains?|despite|still)\b", re.IGNORECASE)


_ASKING = re.compile(r",\s+(?:and\s+|but\s+)?((?:(?:between|among|in|on|at|for|with|from|by|over|after|before)\s+(?=wh|how))?"
                     r"(?:what|which|how|who|where|when|why|does|do|did|is|are|was|were|can|could)\b[^,]*)$", re.IGNORECASE)


def asked_clause(text: str) -> str:
    """The part of a question that asks: its last sentence ("I remember a trainable optimizer
    modelled on ... What was it tested on?" asks "What was it tested on?"), from its last clause
    that opens with a question word ("In the work where ..., what two ways ... did they compare?")."""
    parts = [p for p in re.split(r"(?<=[.?!])\s+", text.strip()) if p]
    last = parts[-1] if parts else text
    clause = _ASKING.search(last)
    return clause.group(1) if clause else last


def gives_reason(sentence: str) -> bool:
    """Whether ``sentence`` gives a reason or a shortcoming ("... is limited because ...")."""
    return bool(_REASON.search(sentence))


def asks_margin(question: Question) -> bool:
    """Whether ``question`` asks by how much one thing beat another ("By how much did Chinchilla
    beat Gopher on MMLU?")."""
    return question.kind == "quantity" and bool(_ASKS_MARGIN.search(last_sentence(question.text)))


def states_lead(sentence: str) -> bool:
    """Whether ``sentence`` puts a number to a lead ("greater than a 7% improvement over Gopher")."""
    return has_number(sentence) and bool(_LEAD.search(sentence))


def asks_why_it_works(question: Question) -> bool:
    """Whether ``question`` asks why a paper's own work does well ("Why is GAN-TTS fast?"): its
    answer is where the paper says what makes it so ("thanks to an efficient feed-forward generator")."""
    return bool(_WHY_IT_WORKS.search(last_sentence(question.text)))


def asks_motivation(question: Question) -> bool:
    """Whether ``question`` asks why: the problem a paper addresses or what was wrong with earlier
    work, which an abstract states as background, before its own work."""
    one = question.kind != "comparison" or asks_one_paper(question.text)  # "... according to the paper that ..."
    if not one or question.kind in ("list", "quantity"):
        return False
    clause = asked_clause(question.text)  # "Why doesn't X help, and what algorithm ... instead?" asks the latter
    asked = clause if _WH.match(clause) and clause != last_sentence(question.text) else last_sentence(question.text)
    return bool(_ASKS_MOTIVATION.search(asked)) and not _WHY_IT_WORKS.search(asked)


def says_what_makes_it_so(sentence: str) -> bool:
    """Whether ``sentence`` says what makes a paper's work do well ("thanks to an efficient
    feed-forward generator", "which reduce this to O(n √n)")."""
    return bool(_CAUSE.search(sentence))


def asks_how_it_ends(question: Question) -> bool:
    """Whether ``question`` asks what an abstract ends with ("What does the Gopher paper end by discussing?")."""
    return bool(_ASKS_END.search(last_sentence(question.text)))


def opens_finally(sentence: str) -> bool:
    """Whether ``sentence`` opens with "Finally" (or "Lastly"): where an abstract says its last point."""
    return bool(_FINALLY.search(sentence))
