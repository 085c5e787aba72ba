"""Memory-mapped string columns and sorted-key lookups."""

import pytest

from rag.index.columns import KeyIndex, StringColumn, write_keys, write_strings

VALUES = ["", "a", "ab", "abc", "b", "Ünïcödé ∑ 4×", "emoji 🙂", "a" * 5000, "x\u200by", "a b"]


def test_strings_read_back_exactly(tmp_path):
    write_strings(tmp_path, "s", VALUES)
    column = StringColumn(tmp_path, "s")
    assert len(column) == len(VALUES) and [column[i] for i in range(len(column))] == VALUES


def test_an_empty_column_reads_back_empty(tmp_path):
    write_strings(tmp_path, "s", [])
    assert len(StringColumn(tmp_path, "s")) == 0


def test_a_truncated_column_is_refused(tmp_path):
    write_strings(tmp_path, "s", VALUES)
    path = tmp_path / "s.bytes"
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ValueError, match="bytes"):
        StringColumn(tmp_path, "s")


def test_keys_find_their_positions_and_nothing_else(tmp_path):
    keys = [v for v in VALUES if v]
    write_keys(tmp_path, "k", keys)
    index = KeyIndex(tmp_path, "k")
    assert [index.find(k) for k in keys] == list(range(len(keys)))
    for absent in ("", "abcd", "A", "a" * 5001, "zz", "a\x00", "Ünïcödé"):
        assert index.find(absent) is None and absent not in index
    assert "ab" in index and 3 not in index

