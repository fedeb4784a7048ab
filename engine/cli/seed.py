"""``repo-engine seed``: load each instance's sample records into repositories that are still empty."""
from __future__ import annotations


def register(sub) -> None:
    parser = sub.add_parser("seed", help="load sample records into empty repositories")
    parser.set_defaults(run=run)


def run(args) -> int:
    raise NotImplementedError
