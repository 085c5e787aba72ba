"""How people and programs use the library besides ``rag.ask``: the ``rag`` command line
and the LangChain retriever. (The chat page and JSON API are the ``ui`` package.)"""
