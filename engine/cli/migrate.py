"""``repo-engine migrate [INSTANCE [REPOSITORY]]``: rewrite each repository's stored records and history to
today's field names and choice values (the type's ``renamed_from``), each record stamped with the revision of
the type it now follows.

Nobody needs to run it for a rename to take effect: the store reads old names as today's. It makes the files
say what the pages show, so that the renames can later be taken out of the type. It is safe while the service
runs: it writes through the store's own saves, a few hundred records at a time, and a record edited meanwhile
keeps its edit. A second run rewrites nothing.
"""
from __future__ import annotations

import sys

from engine.cli.messages import explain
from engine.cli.project import add_repository_arguments, chosen_repositories
from engine.errors import EngineError
from engine.fields.values import plural
from engine.store import Stores
from engine.store.base import Migration


def register(sub) -> None:
    parser = sub.add_parser("migrate", help="rewrite stored records to today's field names and choice values")
    add_repository_arguments(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    chosen = chosen_repositories(args)
    if chosen is None:
        return 1
    paths, targets = chosen
    stores = Stores(paths)
    failed = 0
    try:
        for instance, rtype in targets:
            store = stores.get(instance, rtype)
            where = f"{instance.name}/{rtype.name}"
            try:
                if not store.has_held_data():
                    print(f"{where}: no records yet")
                    continue
                done = store.migrate()
            except EngineError as error:
                print(f"{where}: not migrated: {explain(error)}", file=sys.stderr)
                failed += 1
                continue
            print(f"{where}: {summary(done, rtype.revision)}")
    finally:
        stores.close()
    return 1 if failed else 0


def summary(done: Migration, revision: str) -> str:
    """``412 records rewritten, lessons_learned -> lessons``; ``nothing to rewrite`` on a second run."""
    if not done.rewrote:
        return f"nothing to rewrite: every record is at type revision {revision}"
    parts = [f"{plural(done.records, 'record')} rewritten"]
    parts += [rename if count == done.records else f"{rename} ({plural(count, 'record')})"
              for rename, count in done.renames.items()]
    said = ", ".join(parts)
    if done.versions:
        said += f"; {done.versions} history {'entry' if done.versions == 1 else 'entries'} rewritten"
    return f"{said}; every record is now at type revision {revision}"
