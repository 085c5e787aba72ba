"""How fast a GGUF model evaluates a prompt and writes tokens through the ``llamacpp`` backend's
:class:`~rag.plugins.llamacpp.local_model.LocalModel`, with and without the load options it uses
(weights repacked for the CPU, flash attention).

    python -m bench.llama_kernels --model ~/.cache/rag/models/qwen2.5-coder-1.5b.gguf \\
        [--tokens 700] [--repeats 3]

Each combination runs in a fresh process (the options are fixed when the model loads): the
model loads, then ``--repeats`` times it forgets its cached prompt and answers one user turn
holding about ``--tokens`` tokens of seed abstracts (in its chat template), greedily, at most
20 tokens. It prints one JSON line per combination: load seconds, the prompt's length, and per
repeat the seconds to the first piece of text (the prompt's evaluation and one token) and for
the rest, and the text written (repacked weights round differently: greedy text may differ).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(model_path: Path, repack: bool, flash_attn: bool, tokens: int, repeats: int) -> dict:
    """One combination, measured in this process."""
    from rag.plugins.llamacpp.local_model import LocalModel
    from rag.settings import LlamaCppSettings

    started = time.perf_counter()
    model = LocalModel(model_path, 4096, len(os.sched_getaffinity(0)), repack=repack, flash_attn=flash_attn)
    load = time.perf_counter() - started
    text = " ".join(path.read_text() for path in sorted((ROOT / "seeds").iterdir()))
    messages = [{"role": "user", "content": text[: tokens * 5]}]  # about five characters a token here
    settings = LlamaCppSettings(max_tokens=20, temperature=0)
    runs, written = [], ""
    for _ in range(repeats):
        model.forget()
        started = time.perf_counter()
        pieces = model.stream_reply(messages, settings, deadline=time.monotonic() + 600)
        written = next(pieces)
        first = time.perf_counter() - started
        written += "".join(pieces)
        runs.append({"first_piece_s": round(first, 2), "rest_s": round(time.perf_counter() - started - first, 2)})
    return {"repack": repack, "flash_attn": flash_attn, "load_s": round(load, 2),
            "prompt_tokens": len(model.prompt_tokens(messages)), "runs": runs, "text": written}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, type=Path, help="a GGUF file")
    parser.add_argument("--tokens", type=int, default=700, help="about this many prompt tokens")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("REPACK", "FLASH_ATTN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    model = args.model.expanduser()
    if args.child:
        print(json.dumps(child(model, args.child[0] == "1", args.child[1] == "1", args.tokens, args.repeats)))
        return
    for repack, flash_attn in ((0, 0), (1, 0), (0, 1), (1, 1)):
        done = subprocess.run([sys.executable, "-m", "bench.llama_kernels", "--model", str(model), "--tokens",
                               str(args.tokens), "--repeats", str(args.repeats), "--child", str(repack),
                               str(flash_attn)], cwd=ROOT, capture_output=True, text=True, check=True)
        print(done.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
