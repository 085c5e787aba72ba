"""Answers: ``ask`` and ``stream_ask`` (the pipeline), the registry of answer backends,
extractive composition for the kind of question, the prompts for generative backends, and
the checks every answer passes (citation numbers, support, facts)."""
