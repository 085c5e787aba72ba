"""The index: passages embedded (by a pluggable embedding backend) into Chroma collections,
built aside and switched in one write, incrementally and resumably, with its serving files
(passage table, BM25, vocabulary); a loaded live index (:class:`~rag.index.engine.Engine`)
that memory-maps them."""
