"""The built-in backends, each registered through the same hook a third-party plugin uses
(``register_llms``, ``register_embedders`` ...): the ``extractive``, ``openai`` and
``llamacpp`` answer backends, the ``torch`` and ``onnx`` embedding backends, the ``openvino``
bulk runtime of ``rag index`` (``register_bulk_runtimes``), the ``ray`` cluster embedder, and the
test-only ``fake`` model, which the product never registers. The registries import these
modules by name, so a missing optional dependency is an error only when its backend is used."""
