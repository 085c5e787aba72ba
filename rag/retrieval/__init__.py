"""Retrieval: hybrid dense + BM25 search over the index with metadata filters, follow-up
questions made standalone, the question read for its kind, and the decision whether the
passages found can answer it at all (or the question is a near miss to refuse)."""
