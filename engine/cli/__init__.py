"""The ``repo-engine`` command: one sub-command per module in this package."""
from __future__ import annotations

import argparse
import sys

from engine.cli import check, export, imports, reindex, seed, serve, users

COMMANDS = (check, serve, seed, users, imports, export, reindex)


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
    return args.run(args) or 0


if __name__ == "__main__":
    sys.exit(main())
