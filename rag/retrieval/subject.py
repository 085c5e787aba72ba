"""The paper a question is about, among the passages retrieved for it."""

from __future__ import annotations

from ..corpus.display import display_text
from ..corpus.names import mentions, name_key
from ..models import Passage
from .questions import Question


def subject_passage(question: Question, passages: list[Passage]) -> Passage:
    """A passage of the paper the question is about: one whose label names what the question
    names (Gopher's own paper, not Chinchilla's that compares with Gopher; not for a question
    asking which paper), else one whose text names a name the question writes ("... on MMLU?":
    the paper reporting MMLU), else the best retrieved."""
    about = [] if question.kind == "which" else question.sides + question.names  # "which paper ... GPT-4": not GPT-4's
    for name in dict.fromkeys(about):
        for passage in passages:
            if passage.named and mentions(passage.label, name):
                return passage
    for name in question.names:
        key = name_key(name)
        for passage in passages:
            if key in name_key(f"{passage.label} {display_text(passage.text)}"):
                return passage
    return passages[0]
