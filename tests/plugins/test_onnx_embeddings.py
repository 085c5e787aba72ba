"""The ONNX backend's tokenizer and start-up."""

import json
import subprocess
import sys

import numpy as np

from rag.corpus.chunking import chunk_paper
from rag.index.embeddings import default_model_path
from rag.plugins.onnx_embeddings import _Tokenizer
from rag.settings import PassageSettings

from ..conftest import ROOT

ODD_TEXTS = ["", "x", "Ünïcödé ∑ 4× 🙂 \u200b", "word " * 600, "GPT-3's 175B", "\\chinchilla $2$ 4$\\times$"]


def test_the_light_tokenizer_gives_what_transformers_gives(papers):
    from transformers import AutoTokenizer

    texts = [c.text for p in papers for c in chunk_paper(p, PassageSettings())] + ODD_TEXTS
    reference = AutoTokenizer.from_pretrained(default_model_path())
    light = _Tokenizer(default_model_path(), 256)
    for start in range(0, len(texts), 16):
        batch = texts[start:start + 16]
        expected = reference(batch, padding=True, truncation=True, max_length=256, return_tensors="np")
        got = light(batch)
        for name in ("input_ids", "attention_mask", "token_type_ids"):
            assert np.array_equal(got[name], expected[name]), (name, start)
    assert light(["word " * 600])["input_ids"].shape == (1, 256)


def test_a_process_embedding_with_onnx_imports_neither_torch_nor_transformers(tmp_path):
    from rag.plugins.onnx_embeddings import export_onnx
    from rag.settings import EmbeddingSettings

    export_onnx(EmbeddingSettings(backend="onnx-int8"))  # the one-time export needs torch; in any test order
    script = (
        "import json, sys\n"
        "from rag.index.embeddings import get_embedder\n"
        "from rag.settings import EmbeddingSettings\n"
        "vector = get_embedder(EmbeddingSettings(backend='onnx-int8')).encode_one('compute-optimal training')\n"
        "print(json.dumps([len(vector), 'torch' in sys.modules, 'transformers' in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [384, False, False]
