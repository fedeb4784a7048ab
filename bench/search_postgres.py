"""Benchmark of the ranked search in PostgreSQL: indexing, and a search not made before and the same again,
at each size, on generated QI projects (bench/web_data.py) in a database of its own (dropped at the end).

    .venv/bin/python bench/search_postgres.py [--sizes 10000,1000000] [--repeat 30]

``--base`` records (10,000) are made and indexed through ``search.rebuild``, which is timed; a larger size
copies them, in SQL, with new numbers (rows and search tables alike, as rebuild would write them for those
documents), so that a million records take minutes rather than an hour of analysing text. A search is what
a browse page asks: ``found_sql`` for the words, then the page's 25 rows by relevance and the total, as the
listing joins them. The words are two drawn from the topics (about one record in ten holds one) or from
topics and places (most records' text holds one: the worst case). Medians and 95th percentiles in ms.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

from engine.config import Paths  # noqa: E402
from engine.fields import default_registry  # noqa: E402
from engine.schema import load_project  # noqa: E402
from engine.search.parse import parse  # noqa: E402
from engine.store.documents import format_reference  # noqa: E402
from engine.store.postgres import search  # noqa: E402
from engine.store.postgres.bulk import RECORD_COLUMNS, copy_rows, record_rows  # noqa: E402
from engine.store.postgres.database import Database  # noqa: E402
from pgkit import TestDatabase  # noqa: E402
from search import VOCABULARIES, _ms  # noqa: E402   (bench/search.py)
from web_data import record_values  # noqa: E402

PAGE = ("SELECT r.reference, f.score FROM records r JOIN ({found}) AS f ON f.number = r.number "
        "WHERE r.repo = %s AND NOT r.deleted ORDER BY f.score DESC, r.number DESC LIMIT 25")
TOTAL = "SELECT count(*) FROM records r JOIN ({found}) AS f ON f.number = r.number WHERE r.repo = %s AND NOT r.deleted"
#: Memory a search's sort and hash may use before spilling to disk (PostgreSQL's default is 4MB: a search
#: finding a hundred thousand records needs more; a deployment sets it in postgresql.conf).
WORK_MEM = "64MB"
#: The tables copied to reach a larger size, with the column that holds the record's number.
NUMBERED = ("search_terms", "search_pairs", "search_records")
PRIMARY_KEYS = {"search_terms": "(repo, term, number) INCLUDE (weight)",
                "search_pairs": "(repo, pair, number) INCLUDE (weight)", "search_records": "(repo, number)"}


def generated(rtype, size: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    start = dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc)
    docs = []
    for number in range(1, size + 1):
        when = (start + dt.timedelta(hours=number)).isoformat()
        docs.append({"reference": format_reference(rtype.reference_prefix, number),
                     "status": rng.choice(rtype.status_names), "created": when, "created_by": "bench",
                     "updated": when, "updated_by": "bench", "version": 1, "deleted": False,
                     **record_values(rtype, rng)})
    return docs


def fill(db: Database, rtype, repo: int, base: int) -> float:
    """The base records, indexed by rebuild; how long indexing took (s)."""
    with db.connection() as conn:
        copy_rows(conn, "records", RECORD_COLUMNS, record_rows(rtype, repo, generated(rtype, base, seed=base)))
        started = time.perf_counter()
        search.rebuild(conn, rtype, repo)
        took = time.perf_counter() - started
    analyse(db)
    return took


def analyse(db: Database) -> None:
    """Fresh planner statistics and visibility maps (index-only scans), as autovacuum would leave them."""
    with db.connection() as conn:
        conn.autocommit = True
        for table in ("records", *NUMBERED, "search_dictionary", "search_words"):
            conn.execute(f"VACUUM ANALYZE {table}")


def grow(db: Database, rtype, repo: int, base: int, size: int) -> float:
    """Copies of the base records up to ``size``, their search rows with them; how long it took (s)."""
    started = time.perf_counter()
    copies = size // base
    with db.connection() as conn:
        conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
        conn.execute("INSERT INTO records (repo, number, reference, status, created, created_by, updated, updated_by, "
                     "version, deleted, type_revision, doc) SELECT repo, n, %s || '-' || lpad(n::text, "
                     "greatest(4, length(n::text)), '0'), status, created, created_by, updated, updated_by, "
                     "version, deleted, type_revision, doc FROM records CROSS JOIN generate_series(1, %s) AS k "
                     "CROSS JOIN LATERAL (SELECT number + k * %s AS n) AS renumbered WHERE repo = %s",
                     (rtype.reference_prefix, copies - 1, base, repo))
        for table in NUMBERED:
            columns = {"search_terms": "term, weight", "search_pairs": "pair, weight",
                       "search_records": "counted, terms, pairs, words"}[table]
            key = PRIMARY_KEYS[table]
            conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey")    # built again once, sorted
            conn.execute(f"INSERT INTO {table} (repo, number, {columns}) SELECT repo, number + k * %s, {columns} "
                         f"FROM {table} CROSS JOIN generate_series(1, %s) AS k WHERE repo = %s",
                         (base, copies - 1, repo))
            conn.execute(f"ALTER TABLE {table} ADD PRIMARY KEY {key}")
        for table in ("search_dictionary", "search_words"):
            conn.execute(f"UPDATE {table} SET records = records * %s WHERE repo = %s", (copies, repo))
        conn.execute("UPDATE search_repositories SET records = records * %s WHERE repo = %s", (copies, repo))
    analyse(db)
    return time.perf_counter() - started


def shown(db: Database, rtype, repo: int, searched) -> int:
    """A browse page of a search: its 25 rows by relevance, and the total."""
    with db.connection() as conn:
        conn.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        text, params = search.found_sql(conn, rtype, repo, searched)
        conn.execute(PAGE.format(found=text), [*params, repo]).fetchall()
        return conn.execute(TOTAL.format(found=text), [*params, repo]).fetchone()[0]


def timed(operation, repeat: int) -> tuple[list[float], list]:
    times, answers = [], []
    for turn in range(repeat):
        started = time.perf_counter()
        answers.append(operation(turn))
        times.append((time.perf_counter() - started) * 1000)
    return times, answers


def speed(db: Database, rtype, thesaurus, repo: int, size: int, repeat: int) -> list[tuple[str, str]]:
    rows = []
    for kind, vocabulary in VOCABULARIES.items():
        rng = random.Random(7)
        fresh = [parse(" ".join(rng.sample(vocabulary, 2)), thesaurus) for _ in range(repeat)]
        new, totals = timed(lambda turn: shown(db, rtype, repo, fresh[turn]), repeat)
        again, _ = timed(lambda turn: shown(db, rtype, repo, fresh[turn]), repeat)
        found = statistics.median(totals) / size
        rows += [(f"search not made before, {size:,}, {kind} ({found:.0%} found)", _ms(new)),
                 (f"the same search again, {size:,}, {kind}", _ms(again))]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--base", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    project = load_project(Paths.from_env(str(ROOT / "schemas"), str(ROOT / "instances")), default_registry())
    rtype = project.types["qi-project"]
    made = TestDatabase()
    try:
        db = Database(made.site())
        print("| PostgreSQL search | figure |\n|---|---|")
        for size in (int(one) for one in args.sizes.split(",")):
            repo = db.repository("bench", f"qi-{size}")
            base = min(size, args.base)
            print(f"| index {base:,} records (rebuild) | {fill(db, rtype, repo, base) * 1000:,.0f} ms |", flush=True)
            if size > base:
                print(f"| copied to {size:,} records | {grow(db, rtype, repo, base, size):,.0f} s |", flush=True)
            for name, figure in speed(db, rtype, project.thesaurus, repo, size, args.repeat):
                print(f"| {name} | {figure} |", flush=True)
        db.close()
    finally:
        made.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
