"""The loaded index: the live build's collections and its serving files (passage table, BM25,
vocabulary), memory-mapped.

:func:`get_engine` returns one shared :class:`Engine` per settings; it checks the index
against the corpus and settings once, building or rebuilding it when needed.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from ..models import Passage
from ..settings import Settings
from .columns import KeyIndex
from .embeddings import Embedder, get_embedder
from .indexer import ensure_index
from .lexical import LexicalIndex
from .records import stored_passages
from .serving_files import PassageRow, PassageTable, open_serving_files
from .store import Store

FILTERS_KEPT = 32
"""How many filters' row masks an engine keeps (each a byte per passage)."""

__all__ = ["Engine", "PassageRow", "forget_engine", "get_engine", "reset_engines"]


class Engine:
    """Everything needed to search one live index."""

    def __init__(self, settings: Settings, rebuild: bool = False) -> None:
        self.settings = settings
        self.manifest = ensure_index(settings, rebuild=rebuild)
        self.store = Store(settings)
        self.embedder: Embedder = get_embedder(settings.embeddings)
        self.passages = self.store.collection(self.manifest["passages_collection"])
        self.papers = self.store.collection(self.manifest["papers_collection"])
        self.checked = time.monotonic()
        served = open_serving_files(settings, self.manifest, self.papers)
        self.rows: PassageTable = served.table
        self.lexical: LexicalIndex = served.lexical
        self.vocabulary: KeyIndex = served.vocabulary
        self.collections, self.categories, self.years = served.collections, served.categories, served.years
        self._filtered: dict[str, np.ndarray] = {}
        self._filter_lock = threading.Lock()

    def rows_where(self, key: str, keep) -> np.ndarray:
        """A mask of the rows of the passages whose paper's fields pass ``keep``, kept under
        ``key`` for the next search with the same filter."""
        with self._filter_lock:
            if key not in self._filtered:
                if len(self._filtered) >= FILTERS_KEPT:
                    self._filtered.pop(next(iter(self._filtered)))
                self._filtered[key] = self.rows.rows_of_papers(keep)
            return self._filtered[key]

    def embeddings_of(self, rows: list[int]) -> np.ndarray:
        """Stored embeddings of the given passage rows, in that order."""
        if not rows:
            return np.zeros((0, self.embedder.dimension), np.float32)
        ids = [self.rows[r].id for r in rows]
        got = self.passages.get(ids=ids, include=["embeddings"])
        by_id = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
        return np.stack([by_id[i] for i in ids])

    def passage(self, row: int, score: float = 0.0, similarity: float = 0.0) -> Passage:
        """Row ``row`` as a :class:`Passage`."""
        stored = self.rows[row]
        return Passage(doc_id=stored.doc_id, title=stored.title, label=stored.label, named=stored.named,
                       source=stored.source, text=stored.text, start=stored.start, end=stored.end,
                       score=round(score, 6), similarity=round(similarity, 6),
                       collections=list(stored.collections), passage_id=stored.id)

    def abstract(self, doc_id: str) -> str:
        """The full (normalised) abstract of a paper."""
        got = self.papers.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return ""
        return stored_passages(got["metadatas"][0], got["documents"][0], self.settings.passages)[0]


_engines: dict[str, Engine] = {}
_lock = threading.Lock()


RECHECK_SECONDS = 2.0


def get_engine(settings: Settings | None = None, rebuild: bool = False) -> Engine:
    """The shared engine for ``settings`` (default: ``Settings()``), loaded on first use.

    Every couple of seconds it checks that the live manifest still names the engine's build:
    when another process (``rag index``, another app) swapped in a new build, the engine is
    loaded again, so long-running servers follow index updates.
    """
    settings = settings or Settings()
    key = settings.cache_key()
    with _lock:
        engine = _engines.get(key)
        if engine is not None and not rebuild and time.monotonic() - engine.checked > RECHECK_SECONDS:
            engine.checked = time.monotonic()
            if _replaced(engine):
                engine = None
        if rebuild or engine is None:
            engine = _engines[key] = Engine(settings, rebuild=rebuild)
        return engine


def _replaced(engine: Engine) -> bool:
    """Whether the live manifest names another build than ``engine``'s."""
    live = engine.store.read_manifest() or {}
    return live.get("passages_collection") != engine.manifest["passages_collection"]


def build_replaced(settings: Settings) -> bool:
    """Whether another build went live since the shared engine of ``settings`` was loaded (its
    collections may be dropped under a read in flight); False when none is loaded or the
    manifest cannot be read."""
    with _lock:
        engine = _engines.get(settings.cache_key())
    try:
        return engine is not None and _replaced(engine)
    except Exception:  # noqa: BLE001 - the caller raises its own error then
        return False


def forget_engine(settings: Settings) -> None:
    """Drop the shared engine of ``settings`` (after its index folder was deleted, say)."""
    with _lock:
        _engines.pop(settings.cache_key(), None)


def reset_engines() -> None:
    """Forget loaded engines (after the index was rebuilt by another process, say)."""
    with _lock:
        _engines.clear()
