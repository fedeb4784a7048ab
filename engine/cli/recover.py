"""``repo-engine recover INSTANCE REPOSITORY [--backup FILE] [--partial]``: rebuild a repository whose data
``check`` reported damaged, from what is still good, keeping the damaged files beside it.

Run it with the service stopped, or at least after ``check`` has named the repository: it takes the
repository's write lock, so saves wait while it works. Without ``--partial`` it writes only a complete
recovery; otherwise it says what is missing and changes nothing.
"""
from __future__ import annotations

import sys
from pathlib import Path

from engine.cli.project import chosen_repositories
from engine.fields.values import plural
from engine.store.recover import recover


def register(sub) -> None:
    parser = sub.add_parser("recover", help="rebuild a damaged repository from what is good")
    parser.add_argument("instance")
    parser.add_argument("repository")
    parser.add_argument("--backup", metavar="FILE", type=Path,
                        help="a copy of the repository's records.json from a backup, used if its own is unreadable")
    parser.add_argument("--partial", action="store_true",
                        help="write what can be recovered even when some saves are lost")
    parser.set_defaults(run=run)


def run(args) -> int:
    chosen = chosen_repositories(args)
    if chosen is None:
        return 1
    paths, [(instance, rtype)] = chosen
    if paths.database:
        print("repo-engine: recover rebuilds the embedded store's files; this site is in PostgreSQL "
              "(REPO_ENGINE_DATABASE_URL): restore a pg_dump backup instead (docs/operating.md, PostgreSQL)",
              file=sys.stderr)
        return 1
    if args.backup is not None and not args.backup.is_file():
        print(f"repo-engine: there is no file {args.backup}", file=sys.stderr)
        return 1
    folder = paths.instance_data(instance.name) / rtype.name
    where = f"{instance.name}/{rtype.name}"
    found = recover(folder, backup=args.backup, partial=args.partial)
    for note in found.notes:
        print(f"{where}: found: {note}")
    for problem in found.problems:
        print(f"{where}: cannot recover: {problem}")
    if not found.written:
        print(f"{where}: nothing was changed. Run again with --backup FILE (a copy of records.json from a backup)"
              + (" to recover everything, or with --partial to keep what could be recovered." if not args.partial
                 else "."))
        return 1
    print(f"{where}: recovered {plural(found.records, 'record')} (from {found.source}, then "
          f"{plural(found.replayed, 'save')} from the log); the damaged files are in {found.kept_in}")
    return 0 if found.complete else 1
