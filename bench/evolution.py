"""What reading through a type's renames costs: the store opened and queried on records saved before a rename,
against the same records saved under today's names.

    .venv/bin/python bench/evolution.py [--sizes 10000] [--rounds 7] [--repeat 10]

Per size, three repositories of the same ~1 KB records, written in plain TinyDB layout (adopted by the store when
it opens them): one under today's names (its type has no rename: nothing is mapped); one as the type wrote them
before ``summary`` was renamed from ``description`` and the choice ``Surgery`` from ``Surgical`` (every record
is mapped as it is loaded); and a copy of that one after ``migrate``. After an untimed warm-up, each is opened
and queried in turn, ``--rounds`` times: opening (the file parsed, the snapshot made and counted), the first
browse (the indexes built), a browse page with facets with nothing remembered, a search and a get. Printed:
the medians in ms, the memory an open store holds (tracemalloc) and how long the migration took.
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


def one_round(rtype: RepositoryType, folder: Path, size: int, repeat: int, turn: int) -> dict[str, float]:
    """Each operation timed once more (browse, search and get ``repeat`` times, their median kept)."""
    gc.collect()
    started = time.perf_counter()
    store = opened(rtype, folder)
    row = {"open": (time.perf_counter() - started) * 1000}
    row["first browse"] = timed(lambda _: browse(store, turn), 1)[0]
    row["browse + facets"] = statistics.median(timed(lambda one: browse(store, turn + one), repeat))
    store.prepare_search()
    row["search"] = statistics.median(timed(
        lambda one: store.query(Query(q=WORDS[one % len(WORDS)] + f" {turn}", sort="-updated")), repeat))
    row["get"] = statistics.median(timed(
        lambda one: store.get(format_reference("QI", 1 + (one * 7919 + turn) % size)), repeat))
    store.close()
    return row


def memory(rtype: RepositoryType, folder: Path) -> float:
    """MB held by an open store that has been counted."""
    gc.collect()
    tracemalloc.start()
    store = opened(rtype, folder)
    held = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    store.close()
    return held


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated record counts")
    parser.add_argument("--rounds", type=int, default=7, help="times each repository is opened and queried")
    parser.add_argument("--repeat", type=int, default=10, help="browses, searches and gets per round")
    args = parser.parse_args(argv)
    names = ("open", "first browse", "browse + facets", "search", "get")
    print(f"medians of {args.rounds} rounds, taken in turn; ms, and MB held by an open store")
    print(f"{'records':>7} {'data':<31}" + "".join(f"{name:>16}" for name in names) + f"{'memory MB':>11}")
    for size in (int(s) for s in args.sizes.split(",")):
        scratch = ROOT / "bench" / "results"      # git-ignored, and on the disk the repository is on
        scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="evolution-bench-", dir=scratch) as folder:
            cases = {"today's names, no rename": (qi_project(), Path(folder) / "today"),
                     "old names, read through rename": (renamed_type(), Path(folder) / "renamed"),
                     "the same after migrate": (renamed_type(), Path(folder) / "migrated")}
            for label, (rtype, data) in cases.items():
                build(data, size, old_names=data.name != "today")
            started = time.perf_counter()
            done = TinyDBStore(renamed_type(), Path(folder) / "migrated").migrate()
            took = (time.perf_counter() - started) * 1000
            one_round(qi_project(), Path(folder) / "today", size, 3, 0)      # warm up: imports, first reads
            rows: dict[str, list[dict[str, float]]] = {label: [] for label in cases}
            for turn in range(args.rounds):
                for label, (rtype, data) in cases.items():
                    rows[label].append(one_round(rtype, data, size, args.repeat, turn))
            for label, (rtype, data) in cases.items():
                medians = [statistics.median(row[name] for row in rows[label]) for name in names]
                print(f"{size:>7,} {label:<31}" + "".join(f"{m:16.2f}" for m in medians)
                      + f"{memory(rtype, data):11.1f}")
            print(f"{size:>7,} migrate: {done.records:,} records rewritten in {took:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
