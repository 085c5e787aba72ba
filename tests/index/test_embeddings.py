import os

import numpy as np
import pytest

from rag.evaluation import evaluate, load_dataset
from rag.index.embeddings import get_embedder, model_label
from rag.settings import EmbeddingSettings, PassageSettings

from ..conftest import ROOT, SEEDS, make_settings


@pytest.fixture(scope="module")
def int8():
    return get_embedder(EmbeddingSettings(backend="onnx-int8"))


def test_int8_backend_gives_normalised_vectors_close_to_torch(int8, papers):
    from rag.corpus.chunking import chunk_paper

    texts = [c.text for p in papers[:8] for c in chunk_paper(p, PassageSettings())]
    reference = get_embedder(EmbeddingSettings(backend="torch")).encode(texts)
    vectors = int8.encode(texts)
    assert vectors.shape == reference.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert (vectors * reference).sum(axis=1).min() > 0.97
    # dynamic quantisation scales activations per batch, so a text's vector depends slightly on
    # its batch-mates; the same batch always gives the same vectors
    alone = int8.encode(texts[:3])
    assert (alone * vectors[:3]).sum(axis=1).min() > 0.98
    assert np.array_equal(int8.encode(texts[:3]), alone)


def test_backend_is_part_of_the_manifest_label_only_where_vectors_differ():
    assert model_label(EmbeddingSettings(backend="onnx-int8")).endswith("[onnx-int8]")
    assert model_label(EmbeddingSettings(backend="torch")) == model_label(EmbeddingSettings(backend="onnx"))
    assert "[" not in model_label(EmbeddingSettings())


def test_the_default_onnx_backend_gives_torchs_vectors(papers):
    from rag.corpus.chunking import chunk_paper

    assert EmbeddingSettings().backend == "onnx"
    texts = [c.text for p in papers for c in chunk_paper(p, PassageSettings())]
    reference = get_embedder(EmbeddingSettings(backend="torch")).encode(texts)
    vectors = get_embedder(EmbeddingSettings()).encode(texts)
    assert 1 - (vectors * reference).sum(axis=1).min() < 1e-5
    assert np.abs(vectors - reference).max() < 1e-5


def test_int8_keeps_retrieval_quality_within_001_of_torch(int8):
    dataset = load_dataset(ROOT / "evals" / "data", corpus=SEEDS)
    scores = {}
    for backend in ("torch", "onnx-int8"):
        settings = make_settings(embeddings=EmbeddingSettings(backend=backend))
        scores[backend] = evaluate(dataset, settings, split="all", answers=False)["retrieval"]
    for retriever in ("dense", "hybrid"):
        for metric in ("mrr@10", "recall@5"):
            assert scores["onnx-int8"][retriever][metric] >= scores["torch"][retriever][metric] - 0.01, \
                (retriever, metric, scores)


def test_builds_with_the_default_backend_encode_the_torch_models_vectors(monkeypatch):
    from rag.index.embeddings import get_bulk_embedder
    from rag.plugins import torch_embeddings
    from rag.plugins.onnx_embeddings import OnnxEmbedder

    monkeypatch.setattr(torch_embeddings, "runs_bf16_natively", lambda: False)
    settings = EmbeddingSettings(batch_size=19)  # a settings object of its own (the cache)
    assert get_bulk_embedder(settings) is get_embedder(settings.model_copy(update={"backend": "torch"}))
    assert model_label(EmbeddingSettings()) == model_label(EmbeddingSettings(backend="torch"))
    assert isinstance(get_bulk_embedder(EmbeddingSettings(backend="onnx-int8")), OnnxEmbedder)


@pytest.mark.parametrize("runtime", ["torch", "openvino"])
def test_bulk_encoding_in_bfloat16_gives_float32s_vectors_within_1e_4_cosine(papers, runtime):
    from rag.corpus.chunking import chunk_paper
    from rag.index.embeddings import get_bulk_embedder

    texts = [c.text for p in papers for c in chunk_paper(p, PassageSettings())]
    reference = get_embedder(EmbeddingSettings(backend="torch")).encode(texts)
    bulk = get_bulk_embedder(EmbeddingSettings(bulk_precision="bfloat16", bulk_runtime=runtime))
    assert bulk.precision == "bfloat16" and type(bulk).__name__.lower().startswith(runtime)
    vectors = bulk.encode(texts)
    assert vectors.dtype == np.float32 and vectors.shape == reference.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (vectors * reference).sum(axis=1).min() > 1 - 1e-4


def test_auto_bulk_precision_is_bfloat16_only_where_the_cpu_runs_bf16_natively(monkeypatch):
    from rag.plugins import torch_embeddings

    settings = EmbeddingSettings(backend="torch", batch_size=17, bulk_runtime="torch")  # of its own
    monkeypatch.setattr(torch_embeddings, "runs_bf16_natively", lambda: False)
    assert torch_embeddings.bulk_torch_embedder(settings) is get_embedder(settings)
    monkeypatch.setattr(torch_embeddings, "runs_bf16_natively", lambda: True)
    assert torch_embeddings.bulk_torch_embedder(settings).precision == "bfloat16"
    assert torch_embeddings.bulk_torch_embedder(
        settings.model_copy(update={"bulk_precision": "float32"})) is get_embedder(settings.model_copy(
            update={"bulk_precision": "float32"}))


def test_auto_bulk_runtime_is_openvino_in_bfloat16_else_torch(monkeypatch):
    from rag.plugins import torch_embeddings
    from rag.plugins.openvino_embeddings import OpenVinoEmbedder
    from rag.plugins.torch_embeddings import TorchEmbedder

    settings = EmbeddingSettings(backend="torch", batch_size=23)  # bulk_runtime 'auto'
    monkeypatch.setattr(torch_embeddings, "runs_bf16_natively", lambda: True)
    chosen = torch_embeddings.bulk_torch_embedder(settings)
    assert isinstance(chosen, OpenVinoEmbedder) and chosen.precision == "bfloat16"
    monkeypatch.setattr(torch_embeddings, "runs_bf16_natively", lambda: False)
    assert torch_embeddings.bulk_torch_embedder(settings) is get_embedder(settings)
    explicit = torch_embeddings.bulk_torch_embedder(settings.model_copy(update={"bulk_runtime": "openvino"}))
    assert isinstance(explicit, OpenVinoEmbedder) and explicit.precision == "float32"
    on_gpu = settings.model_copy(update={"device": "cuda"})
    assert torch_embeddings._other_runtime(on_gpu, "bfloat16") is None  # OpenVINO: the CPU only
    assert isinstance(torch_embeddings.bulk_torch_embedder(
        settings.model_copy(update={"bulk_runtime": "torch", "bulk_precision": "bfloat16"})), TorchEmbedder)


def test_openvino_uses_the_threads_omp_num_threads_allows_as_ray_sets_it_per_actor(monkeypatch):
    from rag.plugins.openvino_embeddings import OpenVinoEmbedder

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    limited = OpenVinoEmbedder(EmbeddingSettings(), "bfloat16")
    assert limited.compiled.get_property("INFERENCE_NUM_THREADS") == 1
    monkeypatch.delenv("OMP_NUM_THREADS")
    unlimited = OpenVinoEmbedder(EmbeddingSettings(), "bfloat16").compiled.get_property("INFERENCE_NUM_THREADS")
    assert unlimited != 1 or (os.cpu_count() or 1) == 1  # every core, where there are several


def test_without_openvino_auto_encodes_with_torch_and_openvino_asked_for_says_what_to_install(monkeypatch):
    import builtins

    from rag.errors import MissingDependencyError
    from rag.plugins import torch_embeddings

    real_import = builtins.__import__

    def no_openvino(name, *args, **kwargs):
        if name == "openvino" or name.startswith("openvino."):
            raise ImportError("No module named 'openvino'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openvino)
    settings = EmbeddingSettings(backend="torch", batch_size=29, bulk_precision="bfloat16")
    fallback = torch_embeddings.bulk_torch_embedder(settings)
    assert type(fallback).__name__ == "TorchEmbedder" and fallback.precision == "bfloat16"
    with pytest.raises(MissingDependencyError, match=r"pip install 'rag\[core\]'"):
        torch_embeddings.bulk_torch_embedder(settings.model_copy(update={"bulk_runtime": "openvino"}))


@pytest.mark.parametrize("amx, avx512_bf16, native", [
    (True, False, True), (False, True, True), (False, False, False),
])
def test_bf16_counts_as_native_with_amx_tiles_or_avx512_bf16(monkeypatch, amx, avx512_bf16, native):
    import torch

    from rag.plugins.torch_embeddings import runs_bf16_natively

    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    assert runs_bf16_natively() is native


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="no GPU on this machine")
def test_the_cuda_device_gives_the_cpus_vectors(papers):
    from rag.corpus.chunking import chunk_paper
    from rag.index.embeddings import get_bulk_embedder

    texts = [c.text for p in papers[:8] for c in chunk_paper(p, PassageSettings())]
    on_gpu = get_bulk_embedder(EmbeddingSettings(device="cuda")).encode(texts)
    on_cpu = get_embedder(EmbeddingSettings(backend="torch")).encode(texts)
    assert (on_gpu * on_cpu).sum(axis=1).min() > 1 - 1e-4
