"""The ``repo-engine`` command: one sub-command per module in this package.

Whatever a sub-command does not answer itself (damaged repository data, a full disk, a busy store, an account
refused) ends the command with one line on standard error, ``repo-engine: <what happened>``, and exit status
1: an operator reads what to do, never a traceback.
"""
from __future__ import annotations

import argparse
import sys

from engine.cli import (check, compact, db, digest, export, imports, migrate, migrate_data, outbox, recover,
                        reindex, remind, seed, serve, show, users)
from engine.cli.messages import explain
from engine.errors import EngineError, as_out_of_space

COMMANDS = (check, show, serve, seed, users, imports, export, reindex, compact, recover, migrate, migrate_data, outbox,
            remind, digest, db)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="repo-engine", description="Repository Engine")
    parser.add_argument("--schemas", help="folder of repository types (env REPO_ENGINE_SCHEMAS, default ./schemas)")
    parser.add_argument("--instances", help="folder of instances (env REPO_ENGINE_INSTANCES, default ./instances)")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except EngineError as error:
        print(f"repo-engine: {explain(error)}", file=sys.stderr)
    except OSError as error:
        full = as_out_of_space(error)
        if full is None:
            raise
        print(f"repo-engine: {explain(full)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
