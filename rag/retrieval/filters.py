"""Metadata filters for search: collection, category, author and year, where the corpus has them."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ..errors import QuestionError

MAX_VALUES = 100
"""Most values of one filter field."""
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Names = Annotated[list[Name], Field(max_length=MAX_VALUES)]


class SearchFilter(BaseModel):
    """Only papers matching every given field (a list matches if any of its values does)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    collections: Names | None = Field(None, description="Collection labels, e.g. ['Goto'].")
    categories: Names | None = Field(None, description="arXiv categories, e.g. ['cs.LG'].")
    authors: Names | None = Field(None, description="Author names as the corpus writes them.")
    year_from: int | None = Field(None, ge=0, le=9999, description="Earliest year, inclusive.")
    year_to: int | None = Field(None, ge=0, le=9999, description="Latest year, inclusive.")

    def is_empty(self) -> bool:
        return not any(self.model_dump().values())

    def matches(self, collections, categories, authors, year) -> bool:
        """Whether a paper with these fields passes."""
        for wanted, have in ((self.collections, collections), (self.categories, categories), (self.authors, authors)):
            if wanted and not set(wanted) & set(have):
                return False
        if self.year_from is not None and (year is None or year < self.year_from):
            return False
        return not (self.year_to is not None and (year is None or year > self.year_to))


def make_filter(filters: SearchFilter | dict | None, collections: object = None,
                known_collections: list[str] | None = None) -> SearchFilter | None:
    """A validated filter from ``filters`` and the ``collections`` shorthand; None for none."""
    if isinstance(collections, str):
        collections = [collections]
    try:
        flt = filters if isinstance(filters, SearchFilter) else SearchFilter(**(filters or {}))
        if collections:
            flt = flt.model_copy(update={"collections": SearchFilter(collections=collections).collections})
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'filters'}: {e['msg']}"
                             for e in error.errors()[:3])
        raise QuestionError(f"Bad filter ({problems}). Use collections, categories, authors (lists of "
                            f"up to {MAX_VALUES} names) and year_from, year_to (years).") from error
    except TypeError as error:
        raise QuestionError("Bad filter: send an object with collections, categories, authors (lists of "
                            "names) and year_from, year_to (years).") from error
    if flt.is_empty():
        return None
    if known_collections is not None and flt.collections:
        unknown = sorted(set(flt.collections) - set(known_collections))
        if unknown:
            raise QuestionError(f"Unknown collection(s): {', '.join(unknown)}. "
                                f"Known: {', '.join(known_collections) or 'none'}.")
    return flt
