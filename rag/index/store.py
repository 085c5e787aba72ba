"""The Chroma store: a local ``PersistentClient`` folder or a Chroma server (``HttpClient``).

The store holds, per build, one collection of passages and one of papers, plus a small
``rag_manifest`` collection whose single record says which build is live and what made it.
Switching builds is one write of that record, so a build that dies half way never replaces
the live one.
"""

from __future__ import annotations

import json
import logging
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import StoreUnavailableError, causes
from ..settings import Settings

log = logging.getLogger(__name__)

MANIFEST_COLLECTION = "rag_manifest"
MANIFEST_ID = "live"
BUILD_PREFIX = "build_"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class LocalEmbeddingFunction:
    """Chroma embedding function backed by our own model, so Chroma's default (which would
    download an ONNX model) never runs, even if a collection is queried by text."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings.embeddings

    def __call__(self, input: list[str]) -> list[Any]:  # noqa: A002 - Chroma's signature
        from .embeddings import get_embedder

        return list(get_embedder(self._settings).encode(list(input)))

    @staticmethod
    def name() -> str:
        return "rag-local"

    def is_legacy(self) -> bool:
        return False

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "LocalEmbeddingFunction":
        return LocalEmbeddingFunction(Settings())

    def embed_query(self, input: list[str]) -> list[Any]:  # noqa: A002
        return self(input)

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def validate_config_update(self, old: dict, new: dict) -> None:
        return None


def open_client(settings: Settings):
    """A Chroma client for ``settings``: HttpClient when ``chroma_url`` is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise StoreUnavailableError(
                f"RAG_CHROMA_URL '{settings.chroma_url}' is not a URL; use http://host:port."
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as error:  # noqa: BLE001 - connection errors have many types
            raise StoreUnavailableError(
                f"Cannot reach the Chroma server at {settings.chroma_url} ({error}). Start it "
                "with 'chroma run --path DIR --host HOST --port PORT' or unset RAG_CHROMA_URL."
            ) from error
    path = Path(settings.index_dir)
    try:
        if not (path / "chroma.sqlite3").exists():
            _forget_cached_system(str(path))
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as error:  # noqa: BLE001
        raise StoreUnavailableError(
            f"Cannot open the index folder {path} ({error}). Delete it and run "
            "'rag index --rebuild', or set RAG_INDEX_DIR to another folder."
        ) from error


def _connection_failure(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a failure to reach a server: refused, reset or
    timed out (httpx's transport errors, OSError)."""
    return any(isinstance(e, OSError) or any(c.__name__ == "TransportError" for c in type(e).__mro__)
               for e in causes(error))


@contextmanager
def reaching_the_server(settings: Settings):
    """Turn a lost Chroma server (``chroma_url``) into :class:`StoreUnavailableError` that says
    so; nothing is to be restarted here: the next request reconnects."""
    try:
        yield
    except StoreUnavailableError:
        raise
    except Exception as error:
        if settings.chroma_url and _connection_failure(error):
            raise StoreUnavailableError(
                f"The index server at {settings.chroma_url} is unreachable ({type(error).__name__}: {error}). "
                "Start it again ('chroma run ...'); questions are answered again as soon as it is back."
            ) from error
        raise


def iter_records(collection, include: list[str], page: int = 5000):
    """Every record of a collection, fetched ``page`` records at a time (a Chroma ``get``
    result per page)."""
    offset = 0
    while True:
        batch = collection.get(include=include, limit=page, offset=offset)
        if not batch["ids"]:
            return
        yield batch
        offset += len(batch["ids"])


def _forget_cached_system(path: str) -> None:
    """Chroma keeps one system per folder for the life of the process; when the folder was
    deleted underneath it, that system still shows the old collections. Drop it."""
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.pop(path, None)
    SharedSystemClient._identifier_to_refcount.pop(path, None)
    if system is not None:
        try:
            system.stop()
        except Exception:  # noqa: BLE001 - it is being thrown away
            log.debug("stopping a stale Chroma system failed", exc_info=True)


class Store:
    """The collections of one Chroma database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = open_client(settings)
        self.embedding_function = LocalEmbeddingFunction(settings)

    @property
    def location(self) -> str:
        """Where the index lives, for messages."""
        return self.settings.chroma_url or str(self.settings.index_dir)

    def collection(self, name: str, create: bool = False):
        """A collection of ours (always with our embedding function)."""
        if create:
            return self.client.get_or_create_collection(
                name, embedding_function=self.embedding_function,
                metadata={"hnsw:space": "cosine"},
            )
        return self.client.get_collection(name, embedding_function=self.embedding_function)

    def collection_names(self) -> list[str]:
        """Names of every collection in the database."""
        return [c if isinstance(c, str) else c.name for c in self.client.list_collections()]

    def drop(self, name: str) -> None:
        """Delete a collection if it exists."""
        try:
            self.client.delete_collection(name)
        except Exception:  # noqa: BLE001 - already gone is fine
            log.debug("collection %s already gone", name)

    def read_manifest(self, record_id: str = MANIFEST_ID) -> dict | None:
        """The live manifest (or another record of the manifest collection, such as the
        ``pending`` build), or None when there is none or it cannot be read."""
        if MANIFEST_COLLECTION not in self.collection_names():
            return None
        record = self.collection(MANIFEST_COLLECTION).get(ids=[record_id], include=["documents"])
        if not record["ids"]:
            return None
        try:
            manifest = json.loads(record["documents"][0])
        except (TypeError, json.JSONDecodeError):
            log.warning("The index manifest in %s is damaged; the index will be rebuilt.", self.location)
            return None
        return manifest if isinstance(manifest, dict) else None

    def write_manifest(self, manifest: dict, record_id: str = MANIFEST_ID) -> None:
        """Make ``manifest`` (and the build it names) live, in one write (or write another
        record of the manifest collection)."""
        self.collection(MANIFEST_COLLECTION, create=True).upsert(
            ids=[record_id], documents=[json.dumps(manifest, sort_keys=True)], embeddings=[[1.0]]
        )

    def delete_record(self, record_id: str) -> None:
        """Remove a record of the manifest collection."""
        if MANIFEST_COLLECTION in self.collection_names():
            self.collection(MANIFEST_COLLECTION).delete(ids=[record_id])

    def drop_stale_builds(self, keep: set[str]) -> list[str]:
        """Delete build collections not named in ``keep`` (left by replaced or dead builds)."""
        dropped = [n for n in self.collection_names() if n.startswith(BUILD_PREFIX) and n not in keep]
        for name in dropped:
            self.drop(name)
        if dropped and not self.settings.chroma_url:
            self._remove_orphan_segment_folders()
        return dropped

    def _remove_orphan_segment_folders(self) -> None:
        """Chroma leaves a deleted collection's vector folder on disk; remove such folders."""
        import shutil
        import sqlite3

        root = Path(self.settings.index_dir)
        try:
            with sqlite3.connect(f"file:{root / 'chroma.sqlite3'}?mode=ro", uri=True) as db:
                live = {row[0] for row in db.execute("SELECT id FROM segments")}
        except sqlite3.Error as error:
            log.debug("cannot list Chroma segments: %s", error)
            return
        for folder in root.iterdir():
            if folder.is_dir() and _UUID.fullmatch(folder.name) and folder.name not in live:
                shutil.rmtree(folder, ignore_errors=True)
