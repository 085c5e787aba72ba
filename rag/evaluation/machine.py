"""The machine a measurement ran on, named well enough to compare figures: local models and
the embedder run several times faster with AVX-512 VNNI or AMX than with AVX2 alone, and the
hosts this project runs on differ in just that."""

from __future__ import annotations

import os
import platform
from pathlib import Path

_EXTENSIONS = [("amx_tile", "AMX"), ("avx512_vnni", "AVX-512 VNNI"), ("avx512_bf16", "AVX-512 BF16"),
               ("avx512f", "AVX-512"), ("avx2", "AVX2")]


def _cpuinfo(path: Path) -> tuple[str, set[str]]:
    """The CPU's model name and flags from ``/proc/cpuinfo`` (empty where there is none)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "", set()
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    return fields.get("model name", ""), set(fields.get("flags", "").split())


def _memory_gb(path: Path) -> str:
    """The memory ``/proc/meminfo`` gives, as "24 GB" (empty where it gives none)."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return ""


def describe_machine(proc: Path = Path("/proc")) -> str:
    """'AMD EPYC (2 cores; AVX2), 24 GB, Linux, Python 3.11.7': the CPU's model, its cores and
    the vector extensions that matter here (the widest first), memory, system and Python."""
    model, flags = _cpuinfo(proc / "cpuinfo")
    vectors = [name for flag, name in _EXTENSIONS if flag in flags]
    if "AVX-512 VNNI" in vectors or "AVX-512 BF16" in vectors:
        vectors = [v for v in vectors if v not in ("AVX-512", "AVX2")]
    cpu = f"{model or platform.processor() or platform.machine()} ({os.cpu_count()} cores"
    cpu += f"; {', '.join(vectors)})" if vectors else ")"
    parts = [cpu, _memory_gb(proc / "meminfo"), platform.system(), f"Python {platform.python_version()}"]
    return ", ".join(p for p in parts if p)
