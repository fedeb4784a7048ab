"""``repo-engine serve``: serve every instance with the development server."""
from __future__ import annotations


def register(sub) -> None:
    parser = sub.add_parser("serve", help="serve every instance")
    parser.set_defaults(run=run)


def run(args) -> int:
    raise NotImplementedError
