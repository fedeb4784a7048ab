"""``repo-engine check``: validate every repository type and instance."""
from __future__ import annotations


def register(sub) -> None:
    parser = sub.add_parser("check", help="validate all schemas and instances")
    parser.set_defaults(run=run)


def run(args) -> int:
    raise NotImplementedError
