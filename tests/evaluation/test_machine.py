"""The machine a measurement names: CPU model, cores, vector extensions, memory."""

import os

from rag.evaluation.machine import describe_machine


def _proc(tmp_path, flags: str):
    (tmp_path / "cpuinfo").write_text(f"processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 {flags}\n\n")
    (tmp_path / "meminfo").write_text("MemTotal:       25165824 kB\nMemFree:  1 kB\n")
    return tmp_path


def test_an_avx2_host_and_an_avx512_vnni_host_are_told_apart(tmp_path):
    avx2 = describe_machine(_proc(tmp_path, "avx avx2"))
    assert avx2.startswith(f"AMD EPYC ({os.cpu_count()} cores; AVX2), 24 GB, ")
    vnni = describe_machine(_proc(tmp_path, "avx2 avx512f avx512_vnni avx512_bf16"))
    assert vnni.startswith(f"AMD EPYC ({os.cpu_count()} cores; AVX-512 VNNI, AVX-512 BF16), 24 GB, ")


def test_a_host_without_proc_still_gets_a_description(tmp_path):
    described = describe_machine(tmp_path / "missing")
    assert "cores)" in described and "Python" in described
