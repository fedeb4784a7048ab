"""``repo-engine compact [INSTANCE [REPOSITORY]]``: bring each repository's ``records.json`` up to its latest
save and start its log afresh, and remove files that uploads of killed processes left behind.

Servers compact on their own (once a log outgrows a quarter of its file, and at shutdown); this is for a
backup taken from ``records.json`` alone, or before copying a repository elsewhere. It is safe while the
service runs: saves go on during it.
"""
from __future__ import annotations

import sys
import time

from engine.cli.messages import explain
from engine.cli.project import add_repository_arguments, chosen_repositories
from engine.errors import EngineError
from engine.fields.values import plural
from engine.store import Stores


def register(sub) -> None:
    parser = sub.add_parser("compact", help="bring records.json up to date and start each log afresh")
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
            started = time.perf_counter()
            try:
                done = store.compact()
                swept = store.sweep()
            except EngineError as error:
                print(f"{where}: not compacted: {explain(error)}", file=sys.stderr)
                failed += 1
                continue
            took = time.perf_counter() - started
            said = f"compacted in {took:.2f} s" if done else "already compact"
            print(f"{where}: {said}; {plural(store.count(), 'record')}"
                  + (f"; removed {plural(swept, 'file')} left by unfinished uploads" if swept else ""))
    finally:
        stores.close()
    return 1 if failed else 0
