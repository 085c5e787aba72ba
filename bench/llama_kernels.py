"""How fast a GGUF model evaluates a prompt and writes tokens through the llama.cpp binding,
with and without the load options the ``llamacpp`` backend uses (weights repacked for the CPU,
flash attention).

    python -m bench.llama_kernels --model ~/.cache/rag/models/qwen2.5-coder-1.5b.gguf \\
        [--tokens 700] [--repeats 3]

Each combination runs in a fresh process (the options are fixed when the model loads): the
model loads, then ``--repeats`` times the context is cleared, a prompt of ``--tokens`` tokens
of seed abstracts is evaluated, and 20 tokens are generated greedily. It prints one JSON line
per combination: load seconds, prompt and generation seconds per repeat, and the 20 token ids
(repacked weights round differently: greedy tokens may part ways after a while).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def child(model_path: str, repack: bool, flash_attn: bool, tokens: int, repeats: int) -> dict:
    """One combination, measured in this process."""
    from ik_llama_cpp import _ctypes_api as C
    from ik_llama_cpp import _internals as internals

    from rag.plugins.llamacpp.backend import load_model_file

    sink = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)(lambda *_: None)
    C._lib.llama_log_set(sink, None)
    started = time.perf_counter()
    model = load_model_file(C, internals, model_path, repack)
    context = internals.IkContext(model, n_ctx=4096, n_threads=len(os.sched_getaffinity(0)), flash_attn=flash_attn)
    load = time.perf_counter() - started
    text = " ".join(path.read_text() for path in sorted((ROOT / "seeds").iterdir()))
    prompt = model.tokenize(text, add_bos=False, special=False)[:tokens]
    runs = []
    for _ in range(repeats):
        C.llama_kv_cache_clear(context.ctx)
        started = time.perf_counter()
        step = context._n_ubatch
        for start in range(0, len(prompt), step):
            batch = internals.make_batch_range(prompt[start:start + step], pos_start=start,
                                               logits_last=start + step >= len(prompt))
            context.decode(batch)
            C.llama_batch_free(batch)
        evaluated = time.perf_counter() - started
        started, position, written = time.perf_counter(), len(prompt), []
        for _ in range(20):
            logits = np.ctypeslib.as_array(C.llama_get_logits_ith(context.ctx, -1), shape=(model.n_vocab,))
            written.append(int(np.argmax(logits)))
            batch = internals.make_batch_single(written[-1], position)
            context.decode(batch)
            C.llama_batch_free(batch)
            position += 1
        runs.append({"prompt_s": round(evaluated, 2), "generate_20_s": round(time.perf_counter() - started, 2)})
    return {"repack": repack, "flash_attn": flash_attn, "load_s": round(load, 2), "prompt_tokens": len(prompt),
            "runs": runs, "tokens": written}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a GGUF file")
    parser.add_argument("--tokens", type=int, default=700, help="prompt length in tokens")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("REPACK", "FLASH_ATTN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    model = str(Path(args.model).expanduser())
    if args.child:
        print(json.dumps(child(model, args.child[0] == "1", args.child[1] == "1", args.tokens, args.repeats)),
              flush=True)
        os._exit(0)  # the binding's finalisers fail at interpreter exit
    for repack, flash_attn in ((0, 0), (1, 0), (0, 1), (1, 1)):
        done = subprocess.run([sys.executable, "-m", "bench.llama_kernels", "--model", model, "--tokens",
                               str(args.tokens), "--repeats", str(args.repeats), "--child", str(repack),
                               str(flash_attn)], cwd=ROOT, capture_output=True, text=True, check=True)
        print(done.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
