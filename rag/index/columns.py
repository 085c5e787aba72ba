"""Columns on disk, read through memory maps: strings, and sorted keys to look rows up by.

A process that opens them holds no Python object per row; the operating system pages in
what is read and shares the pages between processes serving the same index.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np


def write_strings(folder: Path, name: str, values: Iterable[str]) -> None:
    """Write ``values`` as ``name.bytes`` (UTF-8, end to end) and ``name.offsets.npy``."""
    offsets = [0]
    with open(folder / f"{name}.bytes", "wb") as handle:
        for value in values:
            data = value.encode("utf-8", "surrogatepass")
            handle.write(data)
            offsets.append(offsets[-1] + len(data))
    np.save(folder / f"{name}.offsets.npy", np.asarray(offsets, dtype=np.int64))


class StringColumn:
    """Strings written by :func:`write_strings`, read on demand."""

    def __init__(self, folder: Path, name: str) -> None:
        self.offsets = np.load(folder / f"{name}.offsets.npy", mmap_mode="r")
        size = int(self.offsets[-1])
        self.data = np.memmap(folder / f"{name}.bytes", dtype=np.uint8, mode="r") if size else np.zeros(0, np.uint8)
        if len(self.data) != size:
            raise ValueError(f"{name}.bytes holds {len(self.data)} bytes, its offsets say {size}")

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, row: int) -> str:
        start, end = int(self.offsets[row]), int(self.offsets[row + 1])
        return self.data[start:end].tobytes().decode("utf-8", "surrogatepass")


def write_keys(folder: Path, name: str, keys: list[str]) -> None:
    """Write ``keys`` sorted (``name.keys.npy``) with each one's position in ``keys``
    (``name.order.npy``), for :class:`KeyIndex`."""
    encoded = [k.encode("utf-8", "surrogatepass") for k in keys]
    order = sorted(range(len(encoded)), key=encoded.__getitem__)
    width = max((len(k) for k in encoded), default=1) or 1
    np.save(folder / f"{name}.keys.npy", np.array([encoded[i] for i in order], dtype=f"S{width}"))
    np.save(folder / f"{name}.order.npy", np.asarray(order, dtype=np.int64))


class KeyIndex:
    """Position of a key in the list given to :func:`write_keys`, by binary search."""

    def __init__(self, folder: Path, name: str) -> None:
        self.keys = np.load(folder / f"{name}.keys.npy", mmap_mode="r")
        self.order = np.load(folder / f"{name}.order.npy", mmap_mode="r")
        if len(self.keys) != len(self.order):
            raise ValueError(f"{name}: {len(self.keys)} keys but {len(self.order)} positions")

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, key: str) -> int | None:
        """Where ``key`` was in the written list, or None."""
        encoded = key.encode("utf-8", "surrogatepass")
        if not encoded or len(encoded) > self.keys.dtype.itemsize or encoded.endswith(b"\x00"):
            return None
        at = int(np.searchsorted(self.keys, encoded))
        if at < len(self.keys) and self.keys[at] == encoded:
            return int(self.order[at])
        return None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.find(key) is not None
