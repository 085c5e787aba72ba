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
    from .settings import Settings

    overrides = {}
    if getattr(args, "corpus", None):
        overrides["corpus"] = args.corpus
    if getattr(args, "index_dir", None):
        overrides["index_dir"] = args.index_dir
    return Settings(**overrides)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _print_answer(answer, out=sys.stdout) -> None:
    width = 100
    print(textwrap.fill(answer.text, width), file=out)
    if answer.citations:
        print("\nSources:", file=out)
        for c in answer.citations:
            where = ", ".join(filter(None, [c.source, "/".join(c.collections)]))
            print(f"  [{c.n}] {c.title} ({where}; chars {c.start}-{c.end})", file=out)
            print(textwrap.indent(textwrap.fill(f'"{c.text}"', width - 6), "      "), file=out)
    elif answer.refused and answer.closest:
        print("\nClosest passages (not relevant enough to answer):", file=out)
        for p in answer.closest[:3]:
            print(f"  - {p.title} ({p.source}; similarity {p.similarity:.2f})", file=out)
    for note in answer.notes:
        print(f"note: {note}", file=sys.stderr)


def cmd_index(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .engine import reset_engines
    from .indexer import ensure_index

    settings = _settings(args)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="paper", desc="Indexing", file=sys.stderr)
        bar.update(done - bar.n)

    before = None
    if not args.rebuild:
        from .store import Store

        before = Store(settings).read_manifest()
    manifest = ensure_index(settings, rebuild=args.rebuild, progress=progress)
    if bar is not None:
        bar.close()
    reset_engines()
    state = "up to date" if before is not None and before == manifest else "built"
    print(
        f"Index {state}: {manifest['papers']} papers, {manifest['passage_count']} passages in "
        f"{settings.chroma_url or settings.index_dir} (built {manifest['built_at']}, "
        f"{manifest['build_seconds']} s)."
    )
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .answer import ask

    answer = ask(args.question, k=args.k, llm=args.llm, settings=_settings(args))
    if args.json:
        print(answer.model_dump_json(indent=2))
    else:
        _print_answer(answer)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .answer import search

    passages = search(args.question, k=args.k, mode=args.mode, settings=_settings(args))
    if args.json:
        print(json.dumps([p.model_dump() for p in passages], indent=2))
        return 0
    for rank, p in enumerate(passages, start=1):
        print(f"{rank:2}. {p.title} ({p.source}) score {p.score:.4f} similarity {p.similarity:.2f}")
        print(textwrap.indent(textwrap.fill(p.text, 94), "    "))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from .answer import ask
    from .errors import RagError

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
        _print_answer(answer)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]


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
    index.set_defaults(func=cmd_index)

    for name, func, help_text in (("ask", cmd_ask, "answer a question with citations"),
                                  ("search", cmd_search, "list the passages retrieved for a query")):
        command = sub.add_parser(name, parents=[common], help=help_text)
        command.add_argument("question")
        command.add_argument("-k", type=int, default=5 if name == "ask" else 10,
                             help="passages to retrieve")
        command.add_argument("--json", action="store_true", help="print JSON")
        if name == "ask":
            command.add_argument("--llm", help="answer backend (default: $RAG_LLM or extractive)")
        else:
            command.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid")
        command.set_defaults(func=func)

    chat = sub.add_parser("chat", parents=[common], help="a conversation in the terminal")
    chat.add_argument("-k", type=int, default=5)
    chat.add_argument("--llm")
    chat.set_defaults(func=cmd_chat)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    warnings.showwarning = _show_warning
    from .errors import RagError

    try:
        return args.func(args)
    except RagError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # invalid settings from the environment or .env
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
