"""Benchmark of the record store against plain TinyDB (JSONStorage) on the same data, in the same run.

    .venv/bin/python bench/store.py [--sizes 1000,10000,50000,100000] [--repeat 30] [--inserts 200]
    .venv/bin/python bench/store.py --backend postgresql [--sizes 10000,100000,1000000] [--url URL]

The second form is ``bench/store_pg.py``'s: the PostgreSQL store filled by its bulk loader, beside the embedded
store at the sizes it can hold. What follows is the first.

For each size a repository file of ~1 KB records is written in plain TinyDB layout in a temporary folder (the
store adopts such a file when it first opens it), copied for plain TinyDB, and each operation is timed: get by
reference, a browse page (25 rows, one filter, sorted, with facet counts for three facets), a free-text search
and insert (durable: fsync'd, under the lock). Filter values and search words vary between repetitions. Also:
a browse right after this process saved, a browse right after another process saved, a browse with nothing
remembered (where the store lets that be forgotten), opening the store, and a compaction where the store has
one. Plain TinyDB's query cache is turned off (``cache_size=0``), as it is useless across worker processes;
its inserts are not fsync'd, which flatters it.

Inserts get a table of their own: after a few to warm up, ``--inserts`` of them per size, their median and p99,
and how much the median grows from the smallest size to the largest, against the targets.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "store"), str(ROOT / "bench")]

import tinydb  # noqa: E402

from engine.store import Store, open_store  # noqa: E402
from engine.store.base import Query  # noqa: E402
from engine.store.documents import format_reference, stamp, utc_now  # noqa: E402
from storekit import DIVISIONS, project, qi_project  # noqa: E402
from web_data import write_records_file  # noqa: E402
from web_load import percentile  # noqa: E402

FACETS = ("status", "division", "staff")
WORDS = ("falls", "sepsis", "prevention", "improved", "lead 3", "project 12")
STATUSES = ("Proposed", "In progress", "Completed", "Stopped")
WARM_UP = 5                     # inserts before the timed ones: first-write costs are not what is measured
INSERT_GROWTH_TARGET = 2.0      # median insert at the largest size / at the smallest
INSERT_TARGET_MS = (10_000, 10.0)   # median insert at this many records, at most this many ms

Rows = list[tuple[str, list[float], list[float]]]


def record_docs(size: int) -> Iterator[dict[str, Any]]:
    """``size`` stored record documents of ~1 KB, numbered from 1: what both backends are filled with."""
    when = stamp(utc_now())
    for number in range(1, size + 1):
        yield {"reference": format_reference("QI", number), "status": STATUSES[number % 4], "created": when,
               "created_by": "seed", "updated": when, "updated_by": "seed", "version": 1, "deleted": False,
               **project(number, summary=f"Record {number}: we measured, changed and measured again. " * 10)}


def build_file(path: Path, size: int) -> None:
    """Write ``size`` records as a repository file (inserting them one by one would take hours)."""
    write_records_file(path, list(record_docs(size)))


def timed(operation: Callable[[int], Any], repeat: int) -> list[float]:
    times = []
    for turn in range(repeat):
        started = time.perf_counter()
        operation(turn)
        times.append((time.perf_counter() - started) * 1000)
    return times


def forget_memo(store: Store) -> bool:
    """Drop the filter and facet results the store remembers, where it lets that be done; False if not."""
    index = getattr(store, "_index", None)
    memo = getattr(index(), "memo", None) if callable(index) else None
    if memo is None:
        return False
    memo.clear()
    return True


def ours(store: Store, size: int) -> dict[str, Callable[[int], Any]]:
    def browse(turn: int) -> None:
        query = Query(filters={"division": (DIVISIONS[turn % 3],)}, sort="-updated" if turn % 2 else "title")
        store.query(query)
        store.facets(query, FACETS)

    def browse_unremembered(turn: int) -> None:
        forget_memo(store)          # as if every filter and facet were asked for the first time
        browse(turn)

    return {
        "insert": lambda turn: store.insert(project(size + turn), user="bench"),
        "get": lambda turn: store.get(format_reference("QI", 1 + (turn * 7919) % size)),
        "browse page + facets": browse,
        "browse, nothing memo": browse_unremembered,
        "search": lambda turn: store.query(Query(q=WORDS[turn % len(WORDS)] + f" {turn}", sort="-updated")),
    }


def plain(db: tinydb.TinyDB, size: int) -> dict[str, Callable[[int], Any]]:
    table = db.table("records", cache_size=0)

    def browse(turn: int) -> None:
        division = DIVISIONS[turn % 3]
        found = table.search(tinydb.where("division") == division)
        found.sort(key=lambda doc: doc["updated"], reverse=True)
        found[:25]
        everything = table.all()        # facet counts leave out their own filter: need every record
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for doc in everything:
            for name in FACETS:
                if name != "division" and doc["division"] != division:
                    continue
                for key in doc[name] if isinstance(doc[name], list) else [doc[name]]:
                    counts[name][key] = counts[name].get(key, 0) + 1

    def search(turn: int) -> None:
        terms = (WORDS[turn % len(WORDS)] + f" {turn}").split()
        table.search(lambda doc: all(t in (doc["title"] + doc["summary"]).casefold() for t in terms))

    return {
        "insert": lambda turn: table.insert(project(size + turn)),
        "get": lambda turn: table.get(doc_id=1 + (turn * 7919) % size),
        "browse page + facets": browse,
        "search": search,
    }


@dataclass
class Measured:
    size: int
    rows: Rows = field(default_factory=list)
    inserts: list[float] = field(default_factory=list)
    compact_ms: float | None = None
    compacted: bool = False         # False: the store had nothing to compact


def measure(size: int, repeat: int, inserts: int, folder: Path) -> Measured:
    rtype, data = qi_project(), folder / "ours"
    path = data / rtype.name / "records.json"
    build_file(path, size)
    plain_path = folder / "plain.json"
    shutil.copyfile(path, plain_path)               # before the store opens (and adopts) its copy
    measured = Measured(size)
    store = open_store(rtype, data)
    try:
        # The first use parses (and adopts) the file, as a worker does at its first request.
        measured.rows.append(("first open (adopt)", timed(lambda _: store.count(), 1), []))
        db = tinydb.TinyDB(plain_path)
        try:
            beside_plain(store, db, size, repeat, inserts, measured)
        finally:
            db.close()
        after_saves(store, rtype, data, repeat, measured)
    finally:
        store.close()
    return measured


def beside_plain(store: Store, db: tinydb.TinyDB, size: int, repeat: int, inserts: int, measured: Measured) -> None:
    """The operations both can do, each timed on both, inserts last."""
    mine, theirs = ours(store, size), plain(db, size)
    plain_repeat = max(3, min(repeat, 100_000 // size))
    rows = measured.rows
    for name in ("get", "browse page + facets", "search"):
        rows.append((name, timed(mine[name], repeat), timed(theirs[name], plain_repeat)))
    if forget_memo(store):
        rows.insert(3, ("browse, nothing memo", timed(mine["browse, nothing memo"], repeat), []))
    timed(mine["insert"], WARM_UP)
    measured.inserts = timed(lambda turn: mine["insert"](WARM_UP + turn), inserts)
    rows.append(("insert", measured.inserts, timed(theirs["insert"], plain_repeat)))


def after_saves(store: Store, rtype, data: Path, repeat: int, measured: Measured) -> None:
    """Reads right after a save, here and in another store on the same files (another worker, in effect),
    opening, and compaction. Stores are closed only once opening and compaction are timed: closing may compact."""
    browse = ours(store, 0)["browse page + facets"]
    rows, few = measured.rows, max(5, repeat // 3)
    rows.append(("insert, then browse", timed(lambda turn: (store.insert(project(turn), user="bench"),
                                                            browse(turn)), few), []))
    other = open_store(rtype, data)
    other.count()
    reloaded = []
    for turn in range(few):
        other.insert(project(turn), user="bench")
        reloaded += timed(lambda _: browse(turn), 1)
    rows.append(("other saved, browse", reloaded, []))
    opened: list[Store] = [other]
    rows.append(("open", timed(lambda _: opened.append(open_and_count(rtype, data)), max(3, repeat // 10)), []))
    if hasattr(store, "compact"):
        started = time.perf_counter()
        measured.compacted = store.compact() is not False
        measured.compact_ms = (time.perf_counter() - started) * 1000
        rows.append(("compact", [measured.compact_ms], []))
    for each in opened:
        each.close()
    if measured.compacted:
        opened = []
        rows.append(("open, after compact", timed(lambda _: opened.append(open_and_count(rtype, data)),
                                                  max(3, repeat // 10)), []))
        for each in opened:
            each.close()


def open_and_count(rtype, data: Path) -> Store:
    """A store opened as a worker opens it at its first request: the file parsed, ready to answer."""
    store = open_store(rtype, data)
    store.count()
    return store


def report(measured: Measured) -> None:
    for name, mine, theirs in measured.rows:
        line = (f"{measured.size:>7,} {name:<22} {statistics.median(mine):9.2f} {percentile(mine, 99):9.2f} "
                f"{len(mine):5d}")
        if theirs:
            ratio = statistics.median(theirs) / statistics.median(mine)
            line += f" {statistics.median(theirs):10.2f} {percentile(theirs, 99):10.2f} {ratio:9.1f}x"
        print(line, flush=True)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report_inserts(runs: list[Measured]) -> bool:
    """The insert table and its targets; True when every target that could be checked is met."""
    print(f"\ninserts (in-process, durable), {WARM_UP} to warm up, then timed; compaction where the store has one")
    print(f"{'records':>7} {'median ms':>9} {'p99 ms':>9} {'inserts':>7} {'compact ms':>10}")
    for run in runs:
        compact = f"{run.compact_ms:10.1f}" if run.compact_ms is not None else f"{'-':>10}"
        print(f"{run.size:>7,} {statistics.median(run.inserts):9.2f} {percentile(run.inserts, 99):9.2f} "
              f"{len(run.inserts):7d} {compact}"
              f"{'  (nothing to compact)' if run.compact_ms is not None and not run.compacted else ''}")
    passed = True
    smallest, largest = min(runs, key=lambda r: r.size), max(runs, key=lambda r: r.size)
    if smallest is not largest:
        growth = statistics.median(largest.inserts) / statistics.median(smallest.inserts)
        ok = growth <= INSERT_GROWTH_TARGET
        passed &= ok
        print(f"median({largest.size:,}) / median({smallest.size:,}) = {growth:.2f}x   "
              f"target <= {INSERT_GROWTH_TARGET:g}x   {verdict(ok)}")
    size, limit = INSERT_TARGET_MS
    at = next((run for run in runs if run.size == size), None)
    if at is not None:
        median = statistics.median(at.inserts)
        ok = median <= limit
        passed &= ok
        print(f"median at {size:,} = {median:.2f} ms   target <= {limit:g} ms at {size:,}   {verdict(ok)}")
    else:
        print(f"median at {size:,}: not measured (--sizes has no {size})")
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("embedded", "postgresql"), default="embedded",
                        help="postgresql: the PostgreSQL store (bulk-filled), beside the embedded one")
    parser.add_argument("--sizes", help="comma-separated record counts (default 1000,10000,50000,100000; with "
                                        "--backend postgresql 10000: 100000 and 1000000 take minutes)")
    parser.add_argument("--repeat", type=int, help="repetitions per operation (default 30; postgresql 15)")
    parser.add_argument("--inserts", type=int, default=200, help="timed inserts per size, after the warm-up")
    parser.add_argument("--url", help="postgresql: the database to work in, in a schema of its own "
                                      "(default REPO_ENGINE_BENCH_DATABASE or the local server)")
    parser.add_argument("--embedded-max", type=int, default=100_000,
                        help="postgresql: the largest size the embedded store is measured beside it at")
    args = parser.parse_args(argv)
    if args.backend == "postgresql":
        import store_pg
        return store_pg.main([int(s) for s in (args.sizes or "10000").split(",")], args.repeat or 15,
                             args.url or store_pg.DEFAULT_URL, args.embedded_max)
    args.sizes, args.repeat = args.sizes or "1000,10000,50000,100000", args.repeat or 30
    print(f"{'records':>7} {'operation':<22} {'median ms':>9} {'p99 ms':>9} {'n':>5} {'TinyDB med':>10} "
          f"{'TinyDB p99':>10} {'TinyDB/us':>10}")
    runs = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="store-bench-", dir=ROOT / "bench") as folder:
            runs.append(measure(size, args.repeat, args.inserts, Path(folder)))
        report(runs[-1])
    return 0 if report_inserts(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
