"""The index: passages embedded (by a pluggable embedding backend) into Chroma collections,
built aside and switched in one write, incrementally and resumably; a loaded live index
(:class:`~rag.index.engine.Engine`) with its passages in memory and BM25 over them."""
