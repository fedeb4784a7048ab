"""``repo-engine migrate [INSTANCE [REPOSITORY]]``: rewrite each repository's stored records and history to
today's field names and choice values (the type's ``renamed_from``), each record stamped with the revision of
the type it now follows.

Nobody needs to run it for a rename to take effect: the store reads old names as today's. It makes the files
say what the pages show, so that the renames can later be taken out of the type. It is safe while the service
runs: it writes through the store's own saves, a few hundred records at a time, and a record edited meanwhile
keeps its edit. A second run rewrites nothing.
"""
from __future__ import annotations

from engine.cli.project import add_repository_arguments, each_store
from engine.fields.values import plural
from engine.store.base import Migration


def register(sub) -> None:
    parser = sub.add_parser("migrate", help="rewrite stored records to today's field names and choice values")
    add_repository_arguments(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    return each_store(args, "migrated", _migrate)


def _migrate(instance, rtype, store) -> str:
    if not store.has_held_data():
        return "no records yet"
    return summary(store.migrate(), rtype.revision)


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
