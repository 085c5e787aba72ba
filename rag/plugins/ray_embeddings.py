"""Embedding on a Ray cluster, for ``rag index --ray``: an actor per worker CPU (or per GPU with
``embeddings.device=cuda``) runs the bulk embedder a local build uses, loaded offline from the
installed package on its node. The builder is the local one: staging collections, copied
unchanged papers, resumable steps and the one-write switch all hold; only the encoding of each
step's passages goes to the cluster, in chunks spread over the actors. The embedder owns its
actors: a chunk whose actor dies (its node lost) goes to the actors left, and a cluster that
takes no work for :data:`STALL_SECONDS` stops the build with an error (it resumes on the next run).

Every node needs the same environment: ``pip install -c constraints.txt '.[ray]'`` (see README).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from ..errors import EmbeddingModelError, missing_dependency
from ..index.embeddings import Embedder
from ..settings import EmbeddingSettings

PAPERS_PER_CPU_STEP = 500
"""Papers a build step sends to the cluster per worker CPU (about 2,400 passages)."""
CHUNK_BATCHES = 4
"""Batches of passages in one chunk, the unit of work an actor takes (and runs again if lost)."""
CHUNKS_IN_FLIGHT = 2
"""Chunks queued at each actor, so that it never waits for the next."""
STALL_SECONDS = 600.0
"""Time without a finished chunk after which the build stops: no worker is taking work."""
log = logging.getLogger(__name__)


class EmbedActor:
    """One worker's bulk embedder (made a Ray actor by :class:`RayEmbedder`)."""

    def __init__(self, settings_json: str) -> None:
        from rag.index.embeddings import get_bulk_embedder

        self.embedder = get_bulk_embedder(EmbeddingSettings.model_validate_json(settings_json))

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.embedder.encode(texts)


def _reachable(address: str, seconds: float = 5.0) -> None:
    """Fail fast (OSError) when a ``HOST:PORT`` address accepts no connection: Ray itself keeps
    retrying for minutes."""
    import socket

    if address == "auto":  # the cluster `ray start` recorded last on this machine (it may be gone)
        try:
            from ray._private.services import canonicalize_bootstrap_address

            address = canonicalize_bootstrap_address("auto") or address
        except ImportError:  # a private helper of Ray's: without it, Ray's own (slow) retries
            pass
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if host and port.isdigit():
        socket.create_connection((host, int(port)), timeout=seconds).close()


def connect(address: str):
    """Join the Ray cluster at ``address`` ('auto': the one running on this machine); returns
    the ``ray`` module. A cluster that cannot be reached raises :class:`EmbeddingModelError`
    saying what to do."""
    try:
        import ray
    except ImportError as error:
        raise missing_dependency("ray", "ray", "Indexing on a Ray cluster") from error
    if not ray.is_initialized():
        try:
            _reachable(address)
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False,
                     configure_logging=False, include_dashboard=False)
        except Exception as error:  # noqa: BLE001 - Ray raises ConnectionError, RuntimeError, ...
            raise EmbeddingModelError(
                f"Cannot join the Ray cluster at '{address}': {error}. Start one ('ray start --head' on "
                "the head node, 'ray start --address HEAD:6379' on each worker) or pass its address "
                "to 'rag index --ray ADDRESS' (RAG_INDEX__RAY_ADDRESS)."
            ) from error
    return ray


class RayEmbedder(Embedder):
    """Encodes batches of passages on the Ray cluster at ``address``; same vectors as the local
    bulk embedder (the same model and code run on each worker)."""

    def __init__(self, settings: EmbeddingSettings, address: str, papers_per_step: int = 0) -> None:
        super().__init__(settings)
        self.ray = connect(address)
        self.gpu = settings.device.startswith("cuda")
        self.unit = "GPU" if self.gpu else "CPU"  # what one actor takes
        if self.gpu and not self.ray.cluster_resources().get("GPU"):
            raise EmbeddingModelError("RAG_EMBEDDINGS__DEVICE is 'cuda' but the Ray cluster has no GPU. "
                                      "Unset it to embed on the CPUs, or add a GPU node.")
        self.papers_per_step = papers_per_step or PAPERS_PER_CPU_STEP * self._workers()
        self.actors: list = []  # kept from step to step: each loads the model once per build
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:  # type: ignore[override]
        if self._dimension is None:
            self._dimension = int(self.encode(["dimension probe"]).shape[1])
        return self._dimension

    def _workers(self) -> int:
        """Actors the cluster has room for now: one per CPU (per GPU with ``device=cuda``)."""
        return max(1, int(self.ray.cluster_resources().get(self.unit, 0)))

    def _top_up(self) -> None:
        """Start actors where the cluster has room now (a node that joined since the last step),
        up to one per worker; at least one when none is left."""
        remote = self.ray.remote(num_gpus=1 if self.gpu else 0, num_cpus=0 if self.gpu else 1)(EmbedActor)
        room = int(self.ray.available_resources().get(self.unit, 0))
        wanted = max(min(room, self._workers() - len(self.actors)), 0 if self.actors else 1)
        self.actors += [remote.remote(self.settings.model_dump_json()) for _ in range(wanted)]

    def _lose(self, actor, running: dict, todo: deque) -> None:
        """Stop using a lost actor: its chunks still queued there go back to ``todo``."""
        for ref, (owner, start) in list(running.items()):
            if owner is actor:
                del running[ref]
                todo.appendleft(start)
        if actor in self.actors:
            self.actors.remove(actor)
            self.ray.kill(actor)

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Spread the texts over the actors in chunks; a chunk whose actor (or its node) is lost
        goes back in the queue for the actors left, and new actors start where there is room."""
        from ray.exceptions import RayError, RayTaskError

        size = batch_size * CHUNK_BATCHES
        todo, running = deque(range(0, len(texts), size)), {}
        out: np.ndarray | None = None
        last_done, lost = time.monotonic(), 0
        self._top_up()
        while todo or running:
            if not self.actors:
                self._top_up()
            for actor in list(self.actors):
                while todo and sum(a is actor for a, _ in running.values()) < CHUNKS_IN_FLIGHT:
                    start = todo.popleft()
                    running[actor.encode.remote(texts[start:start + size])] = (actor, start)
            done, _ = self.ray.wait(list(running), num_returns=1, timeout=5.0)
            for ref in done:
                actor, start = running.pop(ref)
                try:
                    vectors = np.asarray(self.ray.get(ref), dtype=np.float32)
                except RayTaskError as error:  # the embedder itself failed: running it again won't help
                    raise EmbeddingModelError(f"Embedding on the Ray cluster failed: {error}") from error
                except RayError as error:  # the actor or its node died, or the result was lost with it
                    lost += 1
                    log.warning("A Ray worker was lost (%s); its passages go to the workers left", type(error).__name__)
                    todo.appendleft(start)
                    self._lose(actor, running, todo)
                    continue
                if out is None:
                    out = np.zeros((len(texts), vectors.shape[1]), np.float32)
                out[start:start + len(vectors)] = vectors
                last_done = time.monotonic()
            if not done and time.monotonic() - last_done > STALL_SECONDS:
                raise EmbeddingModelError(
                    f"No worker of the Ray cluster finished any passages for {STALL_SECONDS:.0f} s "
                    f"({lost} workers lost in this step). Check the cluster ('ray status') and run "
                    "'rag index --ray' again: it resumes where it stopped.")
        if out is None:
            raise EmbeddingModelError("The Ray cluster returned no vectors.")
        self._dimension = out.shape[1]
        return out


def register_clusters(register: Callable[[str, Callable[..., Embedder]], None]) -> None:
    register("ray", RayEmbedder)
