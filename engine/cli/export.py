"""``repo-engine export INSTANCE REPO [--format csv|xlsx|json] [-o FILE] [--query QS] [--attachments DIR]``.

Exports what the browse page shows for the same query string (``--query 'status=In+progress&sort=-updated'``),
every page of it. Without ``-o`` the file goes to standard output; the format defaults to the output file's
extension, else CSV. ``--attachments DIR`` also copies the records' files to ``DIR/<reference>/<file name>``,
the names the file columns hold, so ``repo-engine import ... --attachments DIR`` brings them back.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

from engine.search.thesaurus import EMPTY, Thesaurus
from engine.cli.project import instance_named, load
from engine.cli.messages import explain
from engine.errors import EngineError
from engine.schema.model import Instance, RepositoryType
from engine.store import Stores
from engine.store.base import Store


@dataclass
class Opened:
    instance: Instance
    rtype: RepositoryType
    store: Store
    stores: Stores
    thesaurus: Thesaurus = EMPTY


def register(sub) -> None:
    parser = sub.add_parser("export", help="export a repository's records (a browse view) as CSV, XLSX or JSON")
    parser.add_argument("instance")
    parser.add_argument("repository")
    parser.add_argument("--format", choices=("csv", "xlsx", "json"), help="default: from -o's extension, else csv")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output)")
    parser.add_argument("--query", default="", metavar="QS",
                        help="filters and sort as in the browse page's address, e.g. 'status=Completed&sort=-updated'")
    parser.add_argument("--attachments", metavar="DIR", help="also copy the records' files into this folder")
    parser.set_defaults(run=run)


def open_repository(args) -> Opened:
    """The instance, repository type and store the arguments name; ``EngineError`` with a message if not."""
    paths, project = load(args)
    instance = instance_named(project, args.instance)
    if not instance.has_repository(args.repository):
        hosted = ", ".join(r.name for r in instance.repositories)
        raise EngineError(f"{instance.name} hosts no repository '{args.repository}' (it hosts {hosted})")
    rtype = instance.repository(args.repository)
    stores = Stores(paths)
    return Opened(instance, rtype, stores.get(instance, rtype), stores, project.thesaurus)


def run(args) -> int:
    from engine.exchange import browse_query
    from engine.exchange.export import export, export_files
    fmt = args.format or _format_of(args.output)
    if fmt == "xlsx" and not args.output and sys.stdout.isatty():
        print("An Excel file cannot be shown here: give a file name with -o, e.g. -o records.xlsx", file=sys.stderr)
        return 1
    try:
        opened = open_repository(args)
    except EngineError as error:
        print(explain(error), file=sys.stderr)
        return 1
    try:
        query, problems = browse_query(opened.rtype, MultiDict(parse_qsl(args.query.lstrip("?"))),
                                       opened.thesaurus)
        if problems:
            print("\n".join(problems) + "\nNothing was exported.", file=sys.stderr)
            return 1
        _write(args.output, lambda out: export(opened.rtype, opened.store, query, fmt, out))
        if args.attachments:
            copied = export_files(opened.rtype, opened.store, query, Path(args.attachments))
            print(f"Copied {copied} file{'s' if copied != 1 else ''} to {args.attachments}", file=sys.stderr)
    finally:
        opened.stores.close()
    return 0


def _format_of(output: str | None) -> str:
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    return suffix if suffix in ("csv", "xlsx", "json") else "csv"


def _write(output: str | None, write) -> None:
    """To standard output, or whole to the file: written beside it, then renamed, so a failed export never
    leaves half a file where the last good one was."""
    if not output:
        try:
            write(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        except BrokenPipeError:     # piped into head or a pager that quit: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    target = Path(output)
    draft = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with open(draft, "wb") as out:
            write(out)
        os.replace(draft, target)
    finally:
        draft.unlink(missing_ok=True)
