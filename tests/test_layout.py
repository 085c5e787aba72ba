"""The package reads as the pipeline: stages in order, no import cycles, small modules, and the
public API where it always was."""

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "rag"
STAGES = {"corpus": 1, "index": 2, "retrieval": 3, "answers": 4, "plugins": 5, "interfaces": 5, "evaluation": 5}
TOP = {"rag", "rag.__main__", "rag.llms"}  # the public faces import from every stage
PUBLIC = ["ask", "stream_ask", "search", "Answer", "Citation", "Passage", "Settings", "RagRetriever", "register",
          "available_llms", "build_index", "get_llm", "load_corpus", "SearchFilter", "CANNOT_ANSWER", "RagError",
          "QuestionError", "CorpusError", "CorpusWarning", "IndexMissingError", "IndexOutdatedError",
          "StoreUnavailableError", "EmbeddingModelError", "UnknownLLMError", "LLMUnavailableError",
          "MissingDependencyError", "HybridRetriever", "Paper"]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The rag modules ``module`` imports anywhere in its file (lazy imports included)."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
    return targets


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {module: _imports(module, path, set(modules)) for module, path in modules.items()}


def test_every_public_name_imports_from_rag():
    import rag

    for name in PUBLIC:
        assert getattr(rag, name) is not None, name
    assert set(rag.__all__) >= set(PUBLIC) - {"get_llm"} | {"get_llm"}


def test_no_module_imports_itself_through_others(graph):
    done, stack, cycles = set(), [], []

    def visit(module):
        if module in stack:
            cycles.append(stack[stack.index(module):] + [module])
            return
        if module in done:
            return
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target in graph and target not in TOP and not (module.startswith(target + ".") or target == "rag"):
                visit(target)
        stack.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
    assert cycles == []


def _stage(module: str) -> int:
    parts = module.split(".")
    return STAGES.get(parts[1], 0) if len(parts) > 1 else 0


def test_data_flows_down_the_stages(graph):
    upward = [(module, target) for module, targets in graph.items() if module not in TOP
              for target in targets if target not in TOP and _stage(target) > _stage(module)]
    assert upward == []


def test_no_module_is_over_350_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 350}
    assert long == {}


def test_each_stage_says_what_it_does():
    for stage in STAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text()))
        assert doc and len(doc) > 80 and "TODO" not in doc, stage
