"""Benchmarks; run ``python -m bench`` and see BENCHMARKS.md."""
