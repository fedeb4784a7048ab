"""What reading through a type's renames costs: the store opened and queried on records saved before a rename,
against the same records saved under today's names.

    .venv/bin/python bench/evolution.py [--sizes 10000] [--repeat 30]

Per size, two repositories of the same ~1 KB records, written in plain TinyDB layout (adopted by the store when
it opens them): one under today's names (the type has no rename: nothing is mapped), one as the type wrote them
before ``summary`` was renamed from ``description`` and the choice ``Surgery`` from ``Surgical`` (every record
is mapped as it is loaded). After an untimed warm-up, timed: opening (the file parsed, the snapshot made and
counted), the first browse (the indexes built), a browse page with facets with nothing remembered, a search,
and a get. Then the memory an open store holds (tracemalloc), and ``migrate`` of the renamed copy and the same
again after it. Medians in ms.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "store"), str(ROOT / "bench")]

from engine.schema.model import Choice, RepositoryType  # noqa: E402
from engine.store.base import Query  # noqa: E402
from engine.store.tinydb import TinyDBStore  # noqa: E402
from store import FACETS, STATUSES, WORDS, forget_memo  # noqa: E402
from storekit import DIVISIONS, project, qi_project  # noqa: E402
from web_data import write_records_file  # noqa: E402
from engine.store.documents import format_reference, stamp, utc_now  # noqa: E402

OLD_SUMMARY, OLD_SURGERY = "description", "Surgical"


def renamed_type() -> RepositoryType:
    """The bench's type with ``summary`` renamed from ``description`` and ``Surgery`` from ``Surgical``."""
    rtype = qi_project()
    fields = []
    for field in rtype.fields:
        if field.name == "summary":
            field = dataclasses.replace(field, renamed_from=(OLD_SUMMARY,))
        elif field.name == "division":
            field = dataclasses.replace(field, choices=tuple(
                Choice(d, d, renamed_from=(OLD_SURGERY,) if d == "Surgery" else ()) for d in DIVISIONS))
        fields.append(field)
    return dataclasses.replace(rtype, fields=tuple(fields))


def build(folder: Path, size: int, old_names: bool) -> None:
    when = stamp(utc_now())
    docs = []
    for number in range(1, size + 1):
        values = project(number, summary=f"Record {number}: we measured, changed and measured again. " * 10)
        if old_names:
            values[OLD_SUMMARY] = values.pop("summary")
            values["division"] = OLD_SURGERY if values["division"] == "Surgery" else values["division"]
        docs.append({"reference": format_reference("QI", number), "status": STATUSES[number % 4], "created": when,
                     "created_by": "seed", "updated": when, "updated_by": "seed", "version": 1, "deleted": False,
                     **values})
    write_records_file(folder / "qi-project" / "records.json", docs)


def timed(operation: Callable[[int], Any], repeat: int) -> list[float]:
    times = []
    for turn in range(repeat):
        started = time.perf_counter()
        operation(turn)
        times.append((time.perf_counter() - started) * 1000)
    return times


def opened(rtype: RepositoryType, folder: Path) -> TinyDBStore:
    store = TinyDBStore(rtype, folder)
    store.count()
    return store


def browse(store: TinyDBStore, turn: int) -> None:
    forget_memo(store)
    query = Query(filters={"division": (DIVISIONS[turn % 3],)}, sort="-updated" if turn % 2 else "title")
    store.query(query)
    store.facets(query, FACETS)


def measure(rtype: RepositoryType, folder: Path, size: int, repeat: int) -> dict[str, float]:
    row = {"open": statistics.median(timed(lambda _: opened(rtype, folder).close(), max(3, repeat // 6)))}
    store = opened(rtype, folder)
    row["first browse"] = timed(lambda turn: browse(store, turn), 1)[0]
    row["browse + facets"] = statistics.median(timed(lambda turn: browse(store, turn), repeat))
    store.prepare_search()
    row["search"] = statistics.median(timed(
        lambda turn: store.query(Query(q=WORDS[turn % len(WORDS)] + f" {turn}", sort="-updated")), repeat))
    row["get"] = statistics.median(timed(
        lambda turn: store.get(format_reference("QI", 1 + (turn * 7919) % size)), repeat))
    store.close()
    del store
    gc.collect()
    tracemalloc.start()
    held = opened(rtype, folder)
    row["memory MB"] = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    del held
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated record counts")
    parser.add_argument("--repeat", type=int, default=30, help="repetitions per operation")
    args = parser.parse_args(argv)
    names = ("open", "first browse", "browse + facets", "search", "get", "memory MB")
    print(f"{'records':>7} {'data':<32}" + "".join(f"{name:>16}" for name in names))
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="evolution-bench-", dir=ROOT / "bench") as folder:
            today, renamed = Path(folder) / "today", Path(folder) / "renamed"
            build(today, size, old_names=False)
            build(renamed, size, old_names=True)
            measure(qi_project(), today, size, 3)        # warm up: imports, caches, the first file read
            rows = [("today's names, no rename", measure(qi_project(), today, size, args.repeat)),
                    ("old names, read through rename", measure(renamed_type(), renamed, size, args.repeat))]
            started = time.perf_counter()
            done = TinyDBStore(renamed_type(), renamed).migrate()
            took = (time.perf_counter() - started) * 1000
            rows.append(("after migrate", measure(renamed_type(), renamed, size, args.repeat)))
            for label, row in rows:
                print(f"{size:>7,} {label:<32}" + "".join(f"{row[name]:16.2f}" for name in names))
            print(f"{size:>7,} migrate: {done.records:,} records rewritten in {took:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
