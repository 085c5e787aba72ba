"""BM25 over passages (bm25s), with English stop words and Snowball stemming."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

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
    """A BM25 index over a list of texts; rows are positions in that list."""

    def __init__(self, texts: list[str]) -> None:
        try:
            import bm25s
        except ImportError as error:
            raise missing_dependency("bm25s", "core", "Lexical search") from error
        self.size = len(texts)
        self.model = bm25s.BM25()
        corpus_tokens = [tokenize(t) or ["\x00empty"] for t in texts]
        self.document_frequency: Counter[str] = Counter()
        for tokens in corpus_tokens:
            self.document_frequency.update(set(tokens))
        if corpus_tokens:
            self.model.index(corpus_tokens, show_progress=False)
        self.vocab = self.model.vocab_dict if corpus_tokens else {}

    def idf(self, token: str) -> float:
        """BM25's inverse document frequency of a (tokenised) word."""
        df = self.document_frequency.get(token, 0)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def coverage(self, query: str, text: str) -> float:
        """Share of the query words' IDF weight that ``text`` holds (1.0: every word)."""
        wanted = set(tokenize(query))
        total = sum(self.idf(t) for t in wanted)
        return sum(self.idf(t) for t in wanted & set(tokenize(text))) / total if total else 0.0

    def search(self, query: str, n: int) -> list[tuple[int, float]]:
        """Up to ``n`` ``(row, score)`` pairs, best first; rows with score 0 are left out."""
        tokens = [t for t in tokenize(query) if t in self.vocab]
        if not tokens or not self.size:
            return []
        rows, scores = self.model.retrieve(
            [tokens], k=min(n, self.size), show_progress=False, n_threads=1
        )
        return [
            (int(r), float(s)) for r, s in zip(np.asarray(rows)[0], np.asarray(scores)[0]) if s > 0
        ]
