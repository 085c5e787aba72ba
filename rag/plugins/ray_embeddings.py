"""Embedding on a Ray cluster, for ``rag index --ray``: Ray Data runs the bulk embedder (the one a
local build uses, loaded offline from the installed package on each node) in an actor per worker
CPU, or per GPU with ``embeddings.device=cuda``. The builder is the local one: staging
collections, copied unchanged papers, resumable steps and the one-write switch all hold; only
the encoding of each step's passages goes to the cluster, in steps large enough that starting
the actors (a model load each) is a small share of a step.

Every node needs the same environment: ``pip install -c constraints.txt '.[ray]'`` (see README).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from ..errors import EmbeddingModelError, missing_dependency
from ..index.embeddings import Embedder
from ..settings import EmbeddingSettings

PAPERS_PER_CPU_STEP = 500
"""Papers a build step sends to the cluster per worker CPU (about 2,400 passages: a minute or two
of encoding on one core, against a few seconds to start an actor)."""
STEP_ATTEMPTS = 3
"""Runs of one build step on the cluster before the build stops with an error."""
log = logging.getLogger(__name__)


class EmbedActor:
    """One worker's bulk embedder; called by Ray Data on batches of ``{"row", "text"}``."""

    def __init__(self, settings_json: str) -> None:
        from rag.index.embeddings import get_bulk_embedder

        self.embedder = get_bulk_embedder(EmbeddingSettings.model_validate_json(settings_json))

    def __call__(self, batch: dict) -> dict:
        vectors = self.embedder.encode([str(t) for t in batch["text"]])
        return {"row": batch["row"], "vector": vectors}


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
        import ray.data  # noqa: F401 - Ray Data is what runs the actors
    except ImportError as error:
        raise missing_dependency("ray[data]", "ray", "Indexing on a Ray cluster") from error
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
        ray.data.DataContext.get_current().enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # an INFO line per dataset, a warning per run
    return ray


class RayEmbedder(Embedder):
    """Encodes batches of passages on the Ray cluster at ``address``; same vectors as the local
    bulk embedder (the same model and code run on each worker)."""

    def __init__(self, settings: EmbeddingSettings, address: str, papers_per_step: int = 0) -> None:
        super().__init__(settings)
        self.ray = connect(address)
        resources = self.ray.cluster_resources()
        self.gpu = settings.device.startswith("cuda")
        self.workers = max(1, int(resources.get("GPU" if self.gpu else "CPU", 0)))
        if self.gpu and not resources.get("GPU"):
            raise EmbeddingModelError("RAG_EMBEDDINGS__DEVICE is 'cuda' but the Ray cluster has no GPU. "
                                      "Unset it to embed on the CPUs, or add a GPU node.")
        self.papers_per_step = papers_per_step or PAPERS_PER_CPU_STEP * self.workers
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:  # type: ignore[override]
        if self._dimension is None:
            self._dimension = int(self.encode(["dimension probe"]).shape[1])
        return self._dimension

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Run the step on the cluster; a run that fails (Ray Data can lose track of blocks
        that lived on a node that died) is run again, on the nodes left, up to
        :data:`STEP_ATTEMPTS` times in all: the texts are still here."""
        for attempt in range(1, STEP_ATTEMPTS + 1):
            try:
                return self._run_step(texts, batch_size)
            except EmbeddingModelError:
                raise
            except Exception as error:  # noqa: BLE001 - Ray raises many kinds for lost nodes and objects
                if attempt == STEP_ATTEMPTS:
                    raise EmbeddingModelError(
                        f"The Ray cluster failed a build step {attempt} times (last: {type(error).__name__}: "
                        f"{error}). Check the cluster ('ray status') and run 'rag index --ray' again: it "
                        "resumes where it stopped.") from error
                log.warning("The Ray cluster failed a build step (%s: %s); running it again", type(error).__name__, error)
                self.workers = max(1, int(self.ray.cluster_resources().get("GPU" if self.gpu else "CPU", 1)))
        raise AssertionError("unreachable")

    def _run_step(self, texts: list[str], batch_size: int) -> np.ndarray:
        ray = self.ray
        dataset = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)],
                                      override_num_blocks=max(1, min(len(texts) // batch_size, 8 * self.workers)))
        embedded = dataset.map_batches(
            EmbedActor, fn_constructor_args=(self.settings.model_dump_json(),), batch_size=batch_size,
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=self.workers),
            num_gpus=1 if self.gpu else 0, num_cpus=0 if self.gpu else 1,
        )  # Ray Data restarts lost actors and runs their batches again (max_restarts=-1 by default)
        out: np.ndarray | None = None
        for batch in embedded.iter_batches(batch_size=None, batch_format="numpy"):
            vectors = np.asarray(batch["vector"], dtype=np.float32)
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), np.float32)
            out[np.asarray(batch["row"], dtype=np.int64)] = vectors
        if out is None:
            raise EmbeddingModelError("The Ray cluster returned no vectors.")
        self._dimension = out.shape[1]
        return out


def register_clusters(register: Callable[[str, Callable[..., Embedder]], None]) -> None:
    register("ray", RayEmbedder)
