"""The PostgreSQL half of ``bench/store.py --backend postgresql``: the same repository of ~1 KB records, filled
by the bulk loader (``COPY``, derived columns, search terms), then the same operations through the ``Store``
interface, beside the embedded store at the sizes it can hold (``--embedded-max``).

Operations: get by reference; a browse page with facet counts (unfiltered, and filtered by division);
a search for a term not asked before and one asked again and again; a deep page (the last but one, newest
first); an insert. The stores remember totals and facet counts until the next write, which is what a page
people keep opening costs; here that memory is dropped before each operation but the repeated search, so
each is measured as the first asking of it. Each operation runs ``--repeat`` times after two to warm up;
printed are the medians and 95th percentiles in ms.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from engine.store.base import Query, Store
from engine.store.documents import format_reference
from engine.store.history import version_doc
from scratch_schema import scratch_site
from storekit import DIVISIONS, project, qi_project
from store import FACETS, ROOT, build_file, forget_memo, record_docs, timed
from web_load import percentile

DEFAULT_URL = os.environ.get("REPO_ENGINE_BENCH_DATABASE", "postgresql://postgres@127.0.0.1:5432/postgres")
INSTANCE = "bench"
WARM_UP = 2
Operations = dict[str, Callable[[int], Any]]


def operations(store: Store, size: int, forget: Callable[[], None]) -> Operations:
    """What is timed, the same on both backends; ``forget`` drops what the store remembers."""
    last_page = max(1, size // 25)

    def first(query: Query, with_facets: bool = False) -> Callable[[int], Any]:
        def run(turn: int) -> None:
            forget()
            store.query(query)
            if with_facets:
                store.facets(query, FACETS)
        return run

    def browse(filtered: bool) -> Callable[[int], Any]:
        return lambda turn: first(Query(filters={"division": (DIVISIONS[turn % 3],)} if filtered else {},
                                        sort="-updated" if turn % 2 else "title"), True)(turn)

    return {
        "get": lambda turn: store.get(format_reference("QI", 1 + (turn * 7919) % size)),
        "browse + facets": browse(False),
        "filtered + facets": browse(True),
        "search, new term": lambda turn: first(Query(q=f"project {1 + (turn * 104729) % size}"))(turn),
        "search, repeated": lambda turn: store.query(Query(q="falls prevention")),
        "deep page": lambda turn: first(Query(sort="-updated", page=last_page - turn % 2))(turn),
        "insert": lambda turn: store.insert(project(size + turn + 1), user="bench"),
    }


def measure(store: Store, size: int, repeat: int, forget: Callable[[], None]) -> dict[str, list[float]]:
    measured = {}
    for name, operation in operations(store, size, forget).items():
        timed(lambda turn: operation(repeat + turn), WARM_UP)
        measured[name] = timed(operation, repeat)
    return measured


# -- PostgreSQL ---------------------------------------------------------------------------------------------
def fill(db, rtype, size: int) -> dict[str, float]:
    """Fill a repository of ``size`` records (and their first versions) in one transaction; seconds per step."""
    from engine.store.postgres import bulk
    steps: dict[str, float] = {}
    with db.connection() as conn:
        repo = bulk.new_repository(conn, INSTANCE, rtype.name, size + 1)
        with step(steps, "records"):
            bulk.load_records(conn, rtype, repo, record_docs(size))
        with step(steps, "history"):
            bulk.load(conn, "history", repo, (version_doc(doc, "created", {}) for doc in record_docs(size)))
        with step(steps, "search terms"):
            bulk.finish(conn, rtype, repo)
        with step(steps, "analyze"):
            bulk.analyze(conn)
        with step(steps, "commit"):
            conn.commit()
    return steps


@contextmanager
def step(steps: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    steps[name] = time.perf_counter() - started


def forget_answers(store: Store) -> None:
    """Drop what the listing remembers of ``store`` (totals, facet counts, the order of pages)."""
    from engine.store.postgres import remembered
    remembered._kept.pop(store, None)


def postgresql(url: str, size: int, repeat: int) -> tuple[dict[str, list[float]], dict[str, float]]:
    from engine.store.postgres.database import database
    from engine.store.postgres.store import PostgresStore
    rtype = qi_project()
    with scratch_site(url) as site:
        db = database(site)
        steps = fill(db, rtype, size)
        store = PostgresStore(rtype, db, INSTANCE)
        return measure(store, size, repeat, lambda: forget_answers(store)), steps


def embedded(size: int, repeat: int) -> dict[str, list[float]]:
    from engine.store import open_store
    rtype = qi_project()
    with tempfile.TemporaryDirectory(prefix="store-bench-", dir=ROOT / "bench") as folder:
        build_file(Path(folder) / rtype.name / "records.json", size)
        store = open_store(rtype, Path(folder))
        try:
            store.count()       # opened (the file parsed and adopted), as a worker's first request does
            return measure(store, size, repeat, lambda: forget_memo(store))
        finally:
            store.close()


def report(size: int, ours: dict[str, list[float]], theirs: dict[str, list[float]] | None) -> None:
    for name, times in ours.items():
        line = f"{size:>9,} {name:<19} {statistics.median(times):10.2f} {percentile(times, 95):9.2f}"
        if theirs is not None:
            line += (f" {statistics.median(theirs[name]):12.2f} {percentile(theirs[name], 95):11.2f} "
                     f"{statistics.median(times) / statistics.median(theirs[name]):9.1f}x")
        print(line, flush=True)


def main(sizes: list[int], repeat: int, url: str, embedded_max: int) -> int:
    print(f"medians of {repeat} runs after {WARM_UP} to warm up, in ms; PostgreSQL filled by the bulk loader "
          f"(COPY), embedded beside it up to {embedded_max:,} records")
    print(f"{'records':>9} {'operation':<19} {'PG median':>10} {'PG p95':>9} {'embedded med':>12} "
          f"{'embedded p95':>11} {'PG/embedded':>10}")
    loads = []
    for size in sizes:
        ours, steps = postgresql(url, size, repeat)
        loads.append((size, steps))
        report(size, ours, embedded(size, repeat) if size <= embedded_max else None)
    names = tuple(loads[0][1]) if loads else ()
    print("\nbulk load, s (records: COPY with derived columns; history: first versions; search terms: rebuild)")
    print(f"{'records':>9} {'total':>8} {'records/s':>10}" + "".join(f"{name:>13}" for name in names))
    for size, steps in loads:
        total = sum(steps.values())
        print(f"{size:>9,} {total:8.1f} {size / total:10,.0f}" + "".join(f"{steps[name]:13.1f}" for name in names))
    return 0


if __name__ == "__main__":
    sys.exit("run bench/store.py --backend postgresql")
