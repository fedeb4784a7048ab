"""``repo-engine compact [INSTANCE [REPOSITORY]]``: bring each repository's ``records.json`` up to its latest
save and start its log afresh, and remove files that uploads of killed processes left behind.

Servers compact on their own (once a log outgrows a quarter of its file, and at shutdown); this is for a
backup taken from ``records.json`` alone, or before copying a repository elsewhere. It is safe while the
service runs: saves go on during it.
"""
from __future__ import annotations

import time

from engine.cli.project import add_repository_arguments, each_store
from engine.fields.values import plural


def register(sub) -> None:
    parser = sub.add_parser("compact", help="bring records.json up to date and start each log afresh")
    add_repository_arguments(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    return each_store(args, "compacted", _compact)


def _compact(instance, rtype, store) -> str:
    started = time.perf_counter()
    done = store.compact()
    swept = store.sweep()
    took = time.perf_counter() - started
    said = f"compacted in {took:.2f} s" if done else "already compact"
    return (f"{said}; {plural(store.count(), 'record')}"
            + (f"; removed {plural(swept, 'file')} left by unfinished uploads" if swept else ""))
