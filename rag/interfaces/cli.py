"""The ``rag`` command line: ``rag index``, ``rag ask``, ``rag search``, ``rag chat``.

Imports of the heavy parts happen inside the commands, so ``rag --help`` is instant.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import warnings
from collections.abc import Sequence


def _settings(args: argparse.Namespace):
    from ..settings import Settings

    overrides = {}
    if getattr(args, "corpus", None):
        overrides["corpus"] = args.corpus
    if getattr(args, "index_dir", None):
        overrides["index_dir"] = args.index_dir
    settings = Settings(**overrides)
    if getattr(args, "ray", None):
        settings = settings.model_copy(update={"index": settings.index.model_copy(update={"ray_address": args.ray})})
    return settings


def _filters(args: argparse.Namespace) -> dict:
    return {"collections": args.collection, "categories": args.category, "authors": args.author,
            "year_from": args.year_from, "year_to": args.year_to}


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _print_answer(answer, out=sys.stdout) -> None:
    from ..corpus.display import display_text

    width = 100
    print("\n".join(textwrap.fill(line, width, subsequent_indent="  ") for line in answer.text.split("\n")), file=out)
    if answer.citations:
        print("\nSources:", file=out)
        for c in answer.citations:
            where = ", ".join(filter(None, [c.source, "/".join(c.collections)]))
            print(f"  [{c.n}] {c.label or c.title} ({where}; chars {c.start}-{c.end})", file=out)
            print(textwrap.indent(textwrap.fill(f'"{display_text(c.text)}"', width - 6), "      "), file=out)
    elif answer.refused and answer.closest:
        print("\nClosest papers found:", file=out)
        for p in answer.closest[:3]:
            print(f"  - {p.label or p.title} ({p.source}; similarity {p.similarity:.2f})", file=out)
    for note in answer.notes:
        print(f"note: {note}", file=sys.stderr)


def cmd_index(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..index.engine import reset_engines
    from ..index.indexer import ensure_index

    settings = _settings(args)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="paper", desc="Indexing", file=sys.stderr)
        bar.update(done - bar.n)

    before = None
    if not args.rebuild:
        from ..index.store import Store

        before = Store(settings).read_manifest()
    print(f"Checking {settings.corpus} ...", file=sys.stderr)
    try:
        manifest = ensure_index(settings, rebuild=args.rebuild, progress=progress, verify=args.verify)
    finally:
        if bar is not None:
            bar.close()  # an error starts on a line of its own
    reset_engines()
    serving = _serving_files(settings, manifest)
    same_build = before is not None and all(before.get(k) == manifest.get(k) for k in ("built_at", "passages_collection"))
    state = "up to date" if same_build else "built"
    work = "" if state == "up to date" else (
        f" ({manifest.get('embedded', 0)} embedded, {manifest.get('reused', 0)} reused from the "
        f"previous build, {manifest.get('resumed', 0)} from an interrupted one)")
    print(
        f"Index {state}: {manifest['papers']} papers, {manifest['passage_count']} passages in "
        f"{settings.chroma_url or settings.index_dir}{work}; built {manifest['built_at']} in "
        f"{manifest['build_seconds']} s. Serving files: {serving}."
    )
    return 0


def _serving_files(settings, manifest: dict) -> str:
    """Check the build's serving files (writing them when an older version built the index)."""
    from ..index.serving_files import open_serving_files
    from ..index.store import Store

    store = Store(settings)
    served = open_serving_files(settings, manifest, store.collection(manifest["papers_collection"]))
    return str(served.folder)


def cmd_ask(args: argparse.Namespace) -> int:
    from .remote import ask_server, running_server

    settings = _settings(args)
    answer = None
    if not args.local and (url := running_server(settings.index_dir)):
        body = {"question": args.question, "k": args.k, "llm": args.llm, "filters": _filters(args)}
        token = settings.server.token_text()
        answer = ask_server(url, body, token)
    if answer is None:
        from ..answers.pipeline import ask

        answer = ask(args.question, k=args.k, llm=args.llm, filters=_filters(args), settings=settings)
    if args.json:
        print(answer.model_dump_json(indent=2))
    else:
        _print_answer(answer)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from ..answers.pipeline import search

    passages = search(args.question, k=args.k, mode=args.mode, filters=_filters(args), settings=_settings(args))
    if args.json:
        print(json.dumps([p.model_dump() for p in passages], indent=2))
        return 0
    if not passages:
        used = {k: v for k, v in _filters(args).items() if v}
        print("No passage matched" + (f" the filters {used}; widen or drop them." if used else "."))
    for rank, p in enumerate(passages, start=1):
        print(f"{rank:2}. {p.title} ({p.source}) score {p.score:.4f} similarity {p.similarity:.2f}")
        print(textwrap.indent(textwrap.fill(p.text, 94), "    "))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from ..answers.pipeline import ask
    from ..errors import RagError

    settings = _settings(args)
    history: list[dict[str, str]] = []
    print("Ask about the papers. Empty line or Ctrl-D quits; /clear forgets the conversation.")
    while True:
        try:
            question = input("\n> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question:
            return 0
        if question == "/clear":
            history.clear()
            print("(conversation cleared)")
            continue
        try:
            answer = ask(question, k=args.k, llm=args.llm, history=history, settings=settings)
        except RagError as error:
            print(f"error: {error}", file=sys.stderr)
            continue
        if answer.query and answer.query != question:  # a follow-up: show what was searched
            searched = f"(searched: {answer.query})"
            print(f"\033[2m{searched}\033[0m" if sys.stdout.isatty() else searched)
        _print_answer(answer)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]


def cmd_eval(args: argparse.Namespace) -> int:
    from ..evaluation.command import run_eval

    return run_eval(args, _settings(args))


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from ui.server import serve
    except ImportError as error:
        from ..errors import missing_dependency

        raise missing_dependency("gradio", "ui", "The chat page") from error
    settings = _settings(args)
    if args.host not in ("127.0.0.1", "localhost", "::1") and settings.server.token is None:
        print(f"warning: serving on {args.host}: anyone who can reach this address can ask questions "
              "(set RAG_SERVER__TOKEN to require a token)", file=sys.stderr)
    serve(host=args.host, port=args.port, settings=settings)
    return 0


def cmd_serve_model(args: argparse.Namespace) -> int:
    try:
        from ..plugins.llamacpp.model_server import serve_model
    except ImportError as error:
        from ..errors import missing_dependency

        raise missing_dependency("fastapi", "ui", "The model server") from error
    settings = _settings(args)
    if args.model:
        settings = settings.model_copy(update={"llamacpp": settings.llamacpp.model_copy(update={"model_path": args.model})})
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host}: anyone who can reach this address can use the model",
              file=sys.stderr)
    print(f"Serving an OpenAI-compatible API on http://{args.host}:{args.port}/v1", file=sys.stderr)
    serve_model(args.host, args.port, settings)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag", description="Question answering over ML paper abstracts, with citations."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", help="corpus folder or file (default: $RAG_CORPUS or seeds/)")
    common.add_argument("--index-dir", help="index folder (default: $RAG_INDEX_DIR or index/)")
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", parents=[common], help="build or update the index")
    index.add_argument("--rebuild", action="store_true", help="rebuild even if up to date")
    index.add_argument("--verify", action="store_true",
                       help="read and hash every paper even when no corpus file's size, mtime or inode changed")
    index.add_argument("--ray", nargs="?", const="auto", metavar="ADDRESS",
                       help="embed on a Ray cluster: its address, or none to join the one running here "
                       "(default: $RAG_INDEX__RAY_ADDRESS, else embed in this process)")
    index.set_defaults(func=cmd_index)

    for name, func, help_text in (("ask", cmd_ask, "answer a question with citations"),
                                  ("search", cmd_search, "list the passages retrieved for a query")):
        command = sub.add_parser(name, parents=[common], help=help_text)
        command.add_argument("question")
        command.add_argument("-k", type=int, default=5 if name == "ask" else 10,
                             help="passages to retrieve")
        command.add_argument("--json", action="store_true", help="print JSON")
        command.add_argument("--collection", action="append", help="only this collection (repeatable)")
        command.add_argument("--category", action="append", help="only this category, e.g. cs.LG (repeatable)")
        command.add_argument("--author", action="append", help="only papers by this author (repeatable)")
        command.add_argument("--year-from", type=int, help="only papers from this year on")
        command.add_argument("--year-to", type=int, help="only papers up to this year")
        if name == "ask":
            command.add_argument("--llm", help="answer backend (default: $RAG_LLM or extractive)")
            command.add_argument("--local", action="store_true",
                                 help="answer in this process even when a `rag serve` on the same index is "
                                 "running (by default the question goes to it: no model to load, well under "
                                 "a second)")
        else:
            command.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid")
        command.set_defaults(func=func)

    evaluation = sub.add_parser("eval", parents=[common], help="measure retrieval and answers")
    evaluation.add_argument("--dataset", action="append", metavar="DIR",
                            help="a BEIR dataset folder, or 'seeds' for our own questions on the "
                            "seed files (the default); repeatable")
    evaluation.add_argument("--split", choices=["dev", "test", "all"], default="test")
    evaluation.add_argument("--llm", action="append",
                            help="answer backend to evaluate (default: $RAG_LLM or extractive); "
                            "repeat to compare backends side by side")
    evaluation.add_argument("--answers", dest="answers", action="store_true", default=None,
                            help="also evaluate answers (default for our own questions only)")
    evaluation.add_argument("--no-answers", dest="answers", action="store_false")
    evaluation.add_argument("--limit", type=int, help="evaluate at most this many queries per dataset")
    evaluation.add_argument("--json", action="store_true", help="print one JSON object")
    evaluation.add_argument("--out", default="evals/out", metavar="DIR",
                            help="folder for report.md, its PNG chart and results.json (default: evals/out, "
                            "not tracked by git)")
    evaluation.add_argument("--update-report", action="store_true",
                            help="also rewrite the committed evals/report.md and its chart (a deliberate commit)")
    evaluation.add_argument("--update-baseline", action="store_true",
                            help="write the figures to evals/baseline.json (a deliberate commit)")
    evaluation.add_argument("--write-corpus", action="store_true",
                            help="write evals/data/corpus.jsonl from the corpus and stop")
    evaluation.set_defaults(func=cmd_eval)

    serve = sub.add_parser("serve", parents=[common], help="serve the chat page and the JSON API")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    serve.add_argument("--port", type=int, default=7860)
    serve.set_defaults(func=cmd_serve)

    model = sub.add_parser("serve-model", help="serve the local GGUF model as an OpenAI-compatible API")
    model.add_argument("--model", help="GGUF file (default: $RAG_LLAMACPP__MODEL_PATH)")
    model.add_argument("--host", default="127.0.0.1")
    model.add_argument("--port", type=int, default=8080)
    model.set_defaults(func=cmd_serve_model)

    chat = sub.add_parser("chat", parents=[common], help="a conversation in the terminal")
    chat.add_argument("-k", type=int, default=5)
    chat.add_argument("--llm")
    chat.set_defaults(func=cmd_chat)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    from ..corpus.text import has_lone_surrogate

    argv = sys.argv[1:] if argv is None else list(argv)
    for arg in argv:
        if has_lone_surrogate(arg):  # Python decodes bytes that are not UTF-8 to lone surrogates
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            print(f"error: the argument '{shown}' is not valid UTF-8 text. Pass UTF-8.", file=sys.stderr)
            return 2
    args = build_parser().parse_args(argv)
    warnings.showwarning = _show_warning
    from pydantic import ValidationError

    from ..errors import RagError, settings_problem

    try:
        return args.func(args)
    except RagError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:  # invalid settings from the environment or .env
        print(f"error: {settings_problem(error)}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
