"""The evaluation suite: labelled questions in ``evals/data`` (BEIR layout) and the runner.

``python -m evals`` is ``rag eval``.
"""
