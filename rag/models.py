"""The public data types: papers, passages, citations and answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, Field


@dataclass(slots=True)
class Paper:
    """One paper of the corpus, possibly found in several source files."""

    id: str
    title: str
    abstract: str
    title_derived: bool = False
    collections: list[str] = field(default_factory=list)
    venue: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    categories: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        """The source files joined with ', ' (first seen first)."""
        return ", ".join(self.sources)


class Passage(BaseModel):
    """A span of one paper's abstract: ``abstract[start:end] == text``."""

    doc_id: str = Field(description="Id of the paper the passage belongs to.")
    title: str = Field(description="Title of the paper (given, or derived from the abstract).")
    label: str = Field("", description="A readable name of the paper: its title, else the name its "
                       "abstract gives its model or method, else what it says it contributes (cut like a title), "
                       "else its first words.")
    named: bool = Field(False, description="True when label is a name (the title or the model's), "
                        "not words of the abstract.")
    source: str = Field(description="Source file(s) of the paper, comma separated.")
    text: str = Field(description="The passage, verbatim from the normalised abstract.")
    start: int = Field(description="Offset of the passage's first character in the abstract.")
    end: int = Field(description="Offset just past the passage's last character.")
    score: float = Field(0.0, description="Retrieval score (fused rank score; higher is better).")
    similarity: float = Field(
        0.0, description="Cosine similarity between the question and the passage."
    )
    collections: list[str] = Field(default_factory=list, description="Collection labels.")
    passage_id: str = Field("", description="Id of the passage in the index.")


class Citation(BaseModel):
    """A numbered source of an answer; ``[n]`` in the answer text points at it."""

    n: int = Field(description="The number used in the answer's [n] markers.")
    doc_id: str
    title: str = Field(description="Title of the paper (given, or derived from the abstract).")
    label: str = Field("", description="A readable name of the paper (see Passage.label).")
    named: bool = Field(False, description="True when label is a name, not words of the abstract.")
    source: str
    text: str = Field(description="The cited passage, verbatim.")
    start: int
    end: int
    score: float
    similarity: float = 0.0
    collections: list[str] = Field(default_factory=list)
    highlights: list[tuple[int, int]] = Field(
        default_factory=list,
        description="Offsets (into the abstract) of the passage sentences that support the answer.",
    )

    @classmethod
    def from_passage(cls, n: int, passage: Passage) -> "Citation":
        """Number ``passage`` as citation ``n``."""
        return cls(n=n, **passage.model_dump(exclude={"passage_id"}))


class Answer(BaseModel):
    """The result of :func:`rag.ask`."""

    question: str
    text: str = Field(description="The answer, with [n] markers that name its citations: readable text "
                      "(LaTeX shown as symbols), one line per paper; a refusal starts with the fixed "
                      "cannot-answer phrase, then may say what the abstracts do hold.")
    citations: list[Citation] = Field(default_factory=list)
    refused: bool = Field(
        False, description="True when the corpus does not contain the answer."
    )
    llm: str = Field("extractive", description="The backend that wrote the answer.")
    query: str = Field("", description="The query used for retrieval (rewritten from history).")
    closest: list[Passage] = Field(
        default_factory=list, description="What retrieval found, best first; for a refusal, one passage "
        "per paper, the most similar first."
    )
    notes: list[str] = Field(
        default_factory=list, description="What the citation checks or a fallback changed."
    )
    timings: dict[str, float] = Field(
        default_factory=dict, description="Seconds spent per stage (retrieve, answer, total)."
    )


class Progress(BaseModel):
    """What :func:`rag.stream_ask` is doing before the answer's first words (``progress=True``)."""

    stage: str = Field(description="'rewriting': a model makes a follow-up standalone; "
                                   "'reading': the passages below are being read.")
    message: str = Field(description="One line for a person.")
    passages: list[Passage] = Field(default_factory=list, description="The passages the answer is written from.")
