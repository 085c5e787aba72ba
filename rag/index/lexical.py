"""BM25 over passages (bm25s), with English stop words and Snowball stemming."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import missing_dependency

_QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how did does do done about any anything "
    "tell show give explain describe list".split()
)
_TOKEN = re.compile(r"\w[\w-]*\w|\w", re.UNICODE)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | _QUESTION_WORDS


def _bm25s():
    try:
        import bm25s
    except ImportError as error:
        raise missing_dependency("bm25s", "core", "Lexical search") from error
    return bm25s


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer
    except ImportError:
        return None
    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens without stop words, stemmed. Hyphenated words also give
    their parts ("end-to-end" gives "end-to-end" and "end")."""
    words: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        words.append(token)
        if "-" in token:
            words.extend(part for part in token.split("-") if part)
    stop = _stopwords()
    words = [w for w in words if w not in stop and (len(w) > 1 or w.isdigit())]
    stemmer = _stemmer()
    return stemmer.stemWords(words) if stemmer else words


class LexicalIndex:
    """A BM25 index over a list of texts; rows are positions in that list. :meth:`save` writes
    it to a folder and :meth:`load` memory-maps it back, so a process does not rebuild it."""

    def __init__(self, texts: list[str], model=None) -> None:
        bm25s = _bm25s()
        if model is None:
            model = bm25s.BM25()
            corpus_tokens = [tokenize(t) or ["\x00empty"] for t in texts]
            if corpus_tokens:
                model.index(corpus_tokens, show_progress=False)
        self.model = model
        self.size = int(model.scores["num_docs"]) if getattr(model, "scores", None) else 0
        self.vocab = (model.vocab_dict or {}) if self.size else {}
        self._indptr = model.scores["indptr"] if self.size else np.zeros(1, np.int64)

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` (bm25s's own files)."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.size:
            self.model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """The index :meth:`save` wrote to ``folder``, its arrays memory-mapped."""
        if not any(folder.iterdir()):
            return cls([])
        model = _bm25s().BM25.load(str(folder), mmap=True, show_progress=False)
        index = cls([], model=model)
        if not 0 < len(index._indptr) - 1 <= len(index.vocab) or index._indptr[-1] != len(model.scores["data"]):
            raise ValueError(f"the lexical index in {folder} does not fit together "
                             f"({len(index._indptr) - 1} columns, {len(index.vocab)} words)")
        return index

    def document_frequency(self, token: str) -> int:
        """How many texts hold ``token``."""
        column = self.vocab.get(token)
        if column is None or column + 1 >= len(self._indptr):
            return 0
        return int(self._indptr[column + 1] - self._indptr[column])

    def idf(self, token: str) -> float:
        """BM25's inverse document frequency of a (tokenised) word."""
        df = self.document_frequency(token)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def coverage(self, query: str, text: str) -> float:
        """Share of the query words' IDF weight that ``text`` holds (1.0: every word)."""
        wanted = set(tokenize(query))
        total = sum(self.idf(t) for t in wanted)
        return sum(self.idf(t) for t in wanted & set(tokenize(text))) / total if total else 0.0

    def search(self, query: str, n: int, only: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to ``n`` ``(row, score)`` pairs, best first, among the rows ``only`` (a mask; None:
        all); rows with score 0 are left out."""
        tokens = [t for t in tokenize(query) if t in self.vocab]
        if not tokens or not self.size:
            return []
        mask = None if only is None else np.asarray(only, dtype=np.float32)
        rows, scores = self.model.retrieve(
            [tokens], k=min(n, self.size), show_progress=False, n_threads=1, weight_mask=mask
        )
        return [
            (int(r), float(s)) for r, s in zip(np.asarray(rows)[0], np.asarray(scores)[0]) if s > 0
        ]
