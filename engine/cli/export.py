"""``repo-engine export INSTANCE REPO [--format csv|xlsx|json] [-o FILE] [--query QS] [--attachments DIR]``.

Exports what the browse page shows for the same query string (``--query 'status=In+progress&sort=-updated'``),
every page of it. Without ``-o`` the file goes to standard output; the format defaults to the output file's
extension, else CSV. ``--attachments DIR`` also copies the records' files to ``DIR/<reference>/<file name>``,
the names the file columns hold, so ``repo-engine import ... --attachments DIR`` brings them back.

An Excel file says on its "About this export" sheet what was exported, when and by whom (the account of your
login name, when there is one), and links each record to its page when ``REPO_ENGINE_BASE_URL`` gives the site's
address; without it the Link column is left out.
"""
from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
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
    parser = sub.add_parser("export", help="export a repository's records (a browse view) as CSV, XLSX or JSON",
                            epilog="An Excel (xlsx) file gets a Link column to each record's page only when "
                                   "REPO_ENGINE_BASE_URL is set to the site's address (https://...); without it "
                                   "the column is left out.")
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
        view = _view(opened, args.query)
        if view.problems:
            print("\n".join(view.problems) + "\nNothing was exported.", file=sys.stderr)
            return 1
        query = view.query
        names = _display_names(opened)
        _write(args.output, lambda out: export(opened.rtype, opened.store, query, fmt, out, _about(opened, view),
                                               names))
        if args.attachments:
            copied = export_files(opened.rtype, opened.store, query, Path(args.attachments))
            print(f"Copied {copied} file{'s' if copied != 1 else ''} to {args.attachments}", file=sys.stderr)
    finally:
        opened.stores.close()
    return 0


def _view(opened: Opened, query_string: str):
    """What the browse page shows for the same query string, read as the page reads it."""
    from engine.exchange import Filtering
    from engine.web.columns import build_filters
    from engine.web.listing import read_browse
    filtering = Filtering(opened.rtype, build_filters(opened.rtype), opened.thesaurus)
    return read_browse(filtering, MultiDict(parse_qsl(query_string.lstrip("?"))))


def _about(opened: Opened, view):
    from engine.exchange.export import About
    from engine.web.listing import sentence
    return About(opened.instance, lambda total: sentence(opened, view, total), by=_exported_by(opened),
                 at=datetime.now(timezone.utc), site=os.environ.get("REPO_ENGINE_BASE_URL") or None)


def _exported_by(opened: Opened) -> str:
    """The display name of the account named as the login running the command, else the login name."""
    from engine.access.accounts import Accounts
    from engine.store.places import site_place
    try:
        login = getpass.getuser()
    except (KeyError, OSError):     # some containers have no user name to give
        return "the command line"
    account = Accounts(site_place(opened.stores.paths)).get(login)
    return account.display_name if account else login


def _display_names(opened: Opened):
    """The site's people by their display names, for the Created by and Updated by columns (read only)."""
    from engine.access.accounts import Accounts
    from engine.exchange.columns import display_names
    from engine.store.places import site_place
    return display_names(Accounts(site_place(opened.stores.paths)).users())


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
