"""``repo-engine migrate-data --to postgresql://...`` (or ``--from postgresql://...``): move a whole site between
the embedded store and PostgreSQL: every hosted repository (records with their history and counter, files with
their content and text, comments, watchers, idempotency keys, the outbox) and the site's accounts (roles and
tokens with them), drafts and alerts, into an empty target, then read back and checked table by table and file
by file (count and SHA-256).

Stop the service first. Into PostgreSQL the copy is one transaction, committed only once it checks: after any
failure the database is as it was, and the command can be run again. Into the local data folders, a copy that
fails is removed again (one killed before it could be is removed by the next run), so there too the command
can be run again. A target that holds anything is refused.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from engine.cli.messages import explain
from engine.cli.project import load
from engine.errors import EngineError
from engine.moving.copying import Copied, copy_site
from engine.moving.embedded import EmbeddedSite
from engine.moving.holding import MoveFailed
from engine.moving.postgres import PostgresSite

#: Held by a copy into a database for its whole transaction: a second copy (or a server making its first
#: repository) waits, then finds the database no longer empty.
LOCKED = "LOCK TABLE repositories, documents IN EXCLUSIVE MODE"


def register(sub) -> None:
    parser = sub.add_parser("migrate-data", help="move the whole site into PostgreSQL, or back into local folders")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="URL", help="copy the local site into this empty PostgreSQL database")
    where.add_argument("--from", dest="source", metavar="URL",
                       help="copy the site in this PostgreSQL database into empty local data folders")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args) -> int:
    url = args.to or args.source
    if not url.startswith(("postgresql://", "postgres://")):
        print("repo-engine: migrate-data takes a postgresql://... URL", file=sys.stderr)
        return 1
    paths, project = load(args)
    local = EmbeddedSite(paths, project)
    try:
        with _database(url, project, writing=bool(args.to)) as database:
            source, target = (local, database) if args.to else (database, local)
            copied = copy_site(source, target, _progress(args.quiet))
    except EngineError as error:
        print(f"repo-engine: {explain(error)}\n{_left(args, error)}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"repo-engine: the copy could not be written ({error}).\n{_left(args, error)}", file=sys.stderr)
        return 1
    print(_summary(copied, source.describe(), target.describe()))
    return 0


@contextmanager
def _database(url: str, project, *, writing: bool) -> Iterator[PostgresSite]:
    """The database's site on one connection, in one transaction (committed when the block ends well): a
    copy into it holds the lock, a copy out of it reads one moment of it."""
    import psycopg
    from engine.store.postgres.database import database, forget, safe_url
    try:
        with database(url).connection() as conn:
            conn.execute(LOCKED if writing else "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield PostgresSite(conn, project, describe=f"the database ({safe_url(url)})")
    except psycopg.Error as error:
        raise MoveFailed(f"the database refused the copy: {str(error).strip()}") from error
    finally:
        forget(url)


def _left(args, error: Exception) -> str:
    """What state the target is in after a failure, so the operator knows running again is safe."""
    from engine.moving.holding import TargetNotEmpty
    if isinstance(error, TargetNotEmpty):
        return "Nothing was copied."
    if args.to:
        return "Nothing was written to the database (the copy is one transaction); run the command again."
    return "What had been copied into the local data folders was removed; run the command again."


def _summary(copied: Copied, source: str, target: str) -> str:
    return (f"Copied {copied.repositories} repositories ({copied.documents:,} documents, {copied.files:,} files, "
            f"{copied.file_bytes / 1e6:.1f} MB) and {copied.site_documents} site documents from {source} to "
            f"{target}; every table and file read back and checked (count and SHA-256).")


def _progress(quiet: bool):
    """A progress bar on standard error, only when someone is watching it."""
    from tqdm import tqdm

    def bar(what: str, total: int):
        return tqdm(total=total, desc=what, unit=" documents" if what == "copying" else " repositories",
                    file=sys.stderr, leave=False, disable=quiet or not sys.stderr.isatty())
    return bar
