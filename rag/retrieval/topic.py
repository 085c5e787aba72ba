"""Words that carry a list question's topic and that no abstract holds: "Which papers use
diffusion models for image generation?" against a corpus that never says "diffusion" names a
category the corpus has no paper in, however well its other words match."""

from __future__ import annotations

import re

from ..index.embeddings import Embedder
from ..index.lexical import LexicalIndex, tokenize
from .questions import FRAME_WORDS, GENERIC_LIST_WORDS

_EXAMPLES = re.compile(r"\([^)]*\)|\b(?:such\s+as|e\.g\.|for\s+(?:example|instance)|like|including|i\.e\.)\s[^,;:?]*",
                       re.IGNORECASE)  # examples and asides may name what the corpus calls otherwise
_WORD = re.compile(r"(?<![\w'-])[a-z][a-z]+(?:-[a-z]+)*(?![\w'-])")  # lower case: capitalised names are unknown_terms'


def absent_topic_words(question: str, lexical: LexicalIndex, embedder: Embedder, similarity: float) -> list[str]:
    """The words of ``question`` (outside its examples and asides) that no abstract holds, in any
    form the stemmer folds together ("diffusion"; for a hyphenated word, none of its parts), and
    without which the question's embedding is less than ``similarity`` to its own: words that
    carry the topic, not a verb the corpus happens not to use ("claim", "stress")."""
    words = []
    for word in dict.fromkeys(_WORD.findall(_EXAMPLES.sub(" ", question))):
        stems = [s for s in tokenize(word) if s not in FRAME_WORDS and s not in GENERIC_LIST_WORDS]
        if stems and all(lexical.document_frequency(s) == 0 for s in stems):
            words.append(word)
    if not words:
        return []
    without = [re.sub(rf"(?<![\w'-]){re.escape(w)}(?![\w'-])\s*", "", question, count=1) for w in words]
    vectors = embedder.encode_cached([question, *without])
    return [w for w, v in zip(words, vectors[1:]) if float(v @ vectors[0]) < similarity]
