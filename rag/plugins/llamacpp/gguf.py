"""Read the metadata of a GGUF model file (the format llama.cpp runs), without loading it.

Used to check that a file is a GGUF model before handing it to llama.cpp (which would
otherwise fail with a bare "failed to load") and to find its chat template.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from ...errors import ModelFileError

MAGIC = b"GGUF"
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9


def _read(handle: BinaryIO, fmt: str):
    size = struct.calcsize(fmt)
    data = handle.read(size)
    if len(data) != size:
        raise EOFError
    return struct.unpack(fmt, data)[0]


def _string(handle: BinaryIO) -> str:
    length = _read(handle, "<Q")
    data = handle.read(length)
    if len(data) != length:
        raise EOFError
    return data.decode("utf-8", errors="replace")


def _value(handle: BinaryIO, kind: int):
    if kind in _SCALARS:
        return _read(handle, _SCALARS[kind])
    if kind == _STRING:
        return _string(handle)
    if kind == _ARRAY:  # skipped (vocabularies): only the length is kept
        item, count = _read(handle, "<I"), _read(handle, "<Q")
        if item in _SCALARS:
            handle.seek(struct.calcsize(_SCALARS[item]) * count, 1)
        else:
            for _ in range(count):
                _value(handle, item)
        return count
    raise ValueError(f"unknown value type {kind}")


def read_metadata(path: Path | str) -> dict[str, object]:
    """The key/value metadata of the GGUF file at ``path`` (arrays are given as their
    length). Raises :class:`ModelFileError` when the file is missing or is not GGUF."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ModelFileError(
            f"The model file {path} does not exist. Set RAG_LLAMACPP__MODEL_PATH to a .gguf file "
            "(the README shows how to get a small one offline)."
        )
    try:
        with path.open("rb") as handle:
            if handle.read(4) != MAGIC:
                raise ModelFileError(
                    f"{path} is not a GGUF model (its first bytes are not 'GGUF'). The llamacpp "
                    "backend runs llama.cpp's GGUF files; convert the model or pick a .gguf file."
                )
            version = _read(handle, "<I")
            _read(handle, "<Q")  # the tensor count
            count = _read(handle, "<Q")
            if version not in (2, 3):
                raise ModelFileError(f"{path} is GGUF version {version}; versions 2 and 3 are supported.")
            metadata: dict[str, object] = {}
            for _ in range(count):
                key = _string(handle)
                metadata[key] = _value(handle, _read(handle, "<I"))
            return metadata
    except (EOFError, ValueError, struct.error) as error:
        raise ModelFileError(
            f"{path} is a damaged GGUF file ({error or 'it ends too early'}). Download or assemble it again."
        ) from error
