"""Benchmark of the record store against plain TinyDB (JSONStorage) on the same data, in the same run.

    .venv/bin/python bench/store.py [--sizes 1000,10000,50000] [--repeat 30]

For each size a repository file of ~1 KB records is built in a temporary folder, copied for plain TinyDB, and
each operation is timed: insert (durable: fsync'd, under the lock), get by reference, a browse page (25 rows,
one filter, sorted, with facet counts for three facets) and a free-text search. Filter values and search
words vary between repetitions. Also: a browse right after this process saved, a browse right after another
process saved (the file is re-read), a browse with nothing remembered, and opening the store. Plain TinyDB's query cache is turned off (``cache_size=0``), as it is useless
across worker processes; its inserts are not fsync'd, which flatters it.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "store")]

import tinydb  # noqa: E402

from engine.store.base import Query  # noqa: E402
from engine.store.cache import HISTORY, META, META_ID, RECORDS, Snapshot  # noqa: E402
from engine.store.documents import format_reference, stamp, utc_now  # noqa: E402
from engine.store.durable import replace_file  # noqa: E402
from engine.store.history import version_doc  # noqa: E402
from engine.store.tinydb import TinyDBStore  # noqa: E402
from storekit import DIVISIONS, project, qi_project  # noqa: E402

FACETS = ("status", "division", "staff")
WORDS = ("falls", "sepsis", "prevention", "improved", "lead 3", "project 12")
STATUSES = ("Proposed", "In progress", "Completed", "Stopped")


def build_file(path: Path, size: int) -> None:
    """Write ``size`` records straight into the store's layout (inserting them one by one would take hours)."""
    records, history = {}, {}
    when = stamp(utc_now())
    for number in range(1, size + 1):
        doc = {"reference": format_reference("QI", number), "status": STATUSES[number % 4], "created": when,
               "created_by": "seed", "updated": when, "updated_by": "seed", "version": 1, "deleted": False,
               **project(number, summary=f"Record {number}: we measured, changed and measured again. " * 10)}
        records[str(number)] = doc
        history[str(number)] = version_doc(doc, "created", {})
    snapshot = Snapshot.empty().apply({RECORDS: records, HISTORY: history,
                                       META: {META_ID: {"next_reference": size + 1}}})
    replace_file(path, snapshot.chunks())


def timed(operation: Callable[[int], Any], repeat: int) -> list[float]:
    times = []
    for turn in range(repeat):
        started = time.perf_counter()
        operation(turn)
        times.append((time.perf_counter() - started) * 1000)
    return times


def ours(store: TinyDBStore, size: int) -> dict[str, Callable[[int], Any]]:
    def browse(turn: int) -> None:
        query = Query(filters={"division": (DIVISIONS[turn % 3],)}, sort="-updated" if turn % 2 else "title")
        store.query(query)
        store.facets(query, FACETS)

    def browse_unremembered(turn: int) -> None:
        store._index().memo.clear()         # as if every filter and facet were asked for the first time
        browse(turn)

    return {
        "insert": lambda turn: store.insert(project(size + turn), user="bench"),
        "get": lambda turn: store.get(format_reference("QI", 1 + (turn * 7919) % size)),
        "browse page + facets": browse,
        "browse, nothing memo": browse_unremembered,
        "search": lambda turn: store.query(Query(q=WORDS[turn % len(WORDS)] + f" {turn}", sort="-updated")),
    }


def plain(path: Path, size: int) -> dict[str, Callable[[int], Any]]:
    db = tinydb.TinyDB(path)
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


def measure(size: int, repeat: int, folder: Path) -> list[tuple[str, list[float], list[float]]]:
    store = TinyDBStore(qi_project(), folder / "ours")
    build_file(store.path, size)
    plain_path = folder / "plain.json"
    shutil.copyfile(store.path, plain_path)
    store.count()                               # open: parse once, as a worker does at its first request
    mine, theirs = ours(store, size), plain(plain_path, size)
    plain_repeat = max(5, min(repeat, 300_000 // size))
    rows = []
    for name in ("get", "browse page + facets", "search", "insert"):
        rows.append((name, timed(mine[name], repeat), timed(theirs[name], plain_repeat)))
    rows.insert(2, ("browse, nothing memo", timed(mine["browse, nothing memo"], repeat), []))
    after = timed(lambda turn: (store.insert(project(turn), user="bench"), mine["browse page + facets"](turn)),
                  max(5, repeat // 3))
    rows.append(("insert, then browse", after, []))
    other = TinyDBStore(qi_project(), folder / "ours")     # another worker process, in effect
    other.count()
    reloaded = []
    for turn in range(max(5, repeat // 3)):
        other.insert(project(turn), user="bench")
        reloaded += timed(lambda _: mine["browse page + facets"](turn), 1)
    rows.append(("other saved, browse", reloaded, []))
    rows.append(("open (parse file)", timed(lambda turn: TinyDBStore(qi_project(), folder / "ours").count(),
                                            max(3, repeat // 10)), []))
    return rows


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(size: int, rows) -> None:
    for name, mine, theirs in rows:
        line = f"{size:>7,} {name:<22} {statistics.median(mine):9.2f} {p95(mine):9.2f}"
        if theirs:
            ratio = statistics.median(theirs) / statistics.median(mine)
            line += f" {statistics.median(theirs):10.2f} {p95(theirs):10.2f} {ratio:9.1f}x"
        print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated record counts")
    parser.add_argument("--repeat", type=int, default=30, help="repetitions per operation")
    args = parser.parse_args(argv)
    print(f"{'records':>7} {'operation':<22} {'median ms':>9} {'p95 ms':>9} {'TinyDB med':>10} "
          f"{'TinyDB p95':>10} {'TinyDB/us':>10}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="store-bench-", dir=ROOT / "bench") as folder:
            report(size, measure(size, args.repeat, Path(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
