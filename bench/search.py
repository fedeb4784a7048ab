"""Benchmark of search: relevance against the collection in tests/search/relevance, before and after, and
speed and memory of the in-memory index at 10k and 50k records.

    .venv/bin/python bench/search.py [--sizes 10000,50000] [--repeat 30] [--trust 5]

Relevance ("before" is the search this engine had until ranked search: every word a substring of the
record's text, newest first; "after" is the trust-wide ranked search): nDCG@5, success@3 (a record judged
2 or 3 among the first three) and the share of queries that find nothing.

Speed, in-process, on generated QI projects (bench/web_data.py): building a repository's index and the
memory it holds (resident memory before and after), a search not made before (new words each time), the same search again, and
a trust-wide search over ``--trust`` repositories of 10k records (each asked for its first page and its
status and year counts, snippets for the 20 shown, as /search asks). A browse page's search includes the
snippets of its 25 rows. Medians and 95th percentiles in milliseconds.
"""
from __future__ import annotations

import argparse
from dataclasses import replace
import logging
import os
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests"), str(ROOT / "tests" / "search" / "relevance")]

from engine.config import Paths  # noqa: E402
from engine.fields import default_registry  # noqa: E402
from engine.schema import load_project  # noqa: E402
from engine.search.parse import parse  # noqa: E402
from engine.store import query as queries  # noqa: E402
from engine.store.base import Query  # noqa: E402
from engine.store.documents import format_reference, to_record  # noqa: E402
from engine.store.index import YEAR, RecordIndex  # noqa: E402
from store import timed  # noqa: E402   (bench/store.py)
from web_data import PLACES, TOPICS, record_values  # noqa: E402

def _words(phrases) -> list[str]:
    return sorted({word.strip(",.").lower() for phrase in phrases for word in phrase.split()} - {"in", "on", "the"})


#: Two kinds of search: topic words, which (as in bench/web.py) the titles and keywords of about one record
#: in ten hold; and words of places, which most records' free text holds: the worst case, most records found.
VOCABULARIES = {"topic words": _words(TOPICS), "common words": _words(TOPICS + PLACES)}


# -- relevance --------------------------------------------------------------------------------------------
def relevance() -> list[tuple[str, float, float, float]]:
    from measure import corpus_app, engine_ranking, measure
    # The collection's guidelines carry a placeholder PDF with no text: one warning each would bury the table.
    logging.getLogger("engine.search").setLevel(logging.ERROR)
    app, ids = corpus_app(Path(tempfile.mkdtemp()))
    rows = [("before: every word a substring, newest first", *_figures(measure(substring_ranking(app, ids)))),
            ("after: ranked search", *_figures(measure(engine_ranking(app, ids))))]
    app.extensions["repo_engine"].close()
    return rows


def _figures(found) -> tuple[float, float, float]:
    return found.ndcg5, found.success3, found.nothing


def substring_ranking(app, ids):
    """The search as it was: a record matches when each word of the query is a substring of its text."""
    from measure import _by_place
    site = app.extensions["repo_engine"]
    by_place = _by_place(site, ids)
    texts = []
    for hosted in site.repositories.values():
        for record in site.store(hosted).iter_all():
            parts = [record.reference] + [f.kind.search_text(f, record.values[f.name]) for f in hosted.rtype.fields
                                          if f.searchable and record.values.get(f.name) is not None]
            texts.append((record.updated, (hosted.instance.name, hosted.name, record.reference),
                          "\n".join(parts).casefold()))

    def rank(q: str) -> list[str]:
        terms = q.casefold().split()
        found = sorted(((updated, place) for updated, place, text in texts if all(t in text for t in terms)),
                       reverse=True)
        return [by_place[place] for _, place in found[:10]]
    return rank


# -- speed --------------------------------------------------------------------------------------------------
def generated(rtype, size: int, seed: int) -> RecordIndex:
    rng = random.Random(seed)
    start = dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc)
    docs = {}
    for number in range(1, size + 1):
        reference = format_reference(rtype.reference_prefix, number)
        when = (start + dt.timedelta(hours=number)).isoformat()
        docs[reference] = {"reference": reference, "status": rng.choice(rtype.status_names), "created": when,
                           "created_by": "bench", "updated": when, "updated_by": "bench", "version": 1,
                           "deleted": False, **record_values(rtype, rng)}
    return RecordIndex(rtype, docs, lambda ref: to_record(docs[ref]))


def a_query(rng: random.Random, thesaurus, vocabulary: list[str]) -> Query:
    words = " ".join(rng.sample(vocabulary, 2))
    return Query(q=words, search=parse(words, thesaurus), per_page=25)


def shown(index: RecordIndex, query: Query) -> None:
    """What a browse page asks of a search: its first page, with a snippet for each record shown."""
    page = queries.page(index, query)
    dict(page.snippets)


def speed(rtype, thesaurus, size: int, repeat: int) -> list[tuple[str, str]]:
    index = generated(rtype, size, seed=size)
    before = _resident()
    started = time.perf_counter()
    index.search()
    built = time.perf_counter() - started
    memory = (_resident() - before) / 1e6
    rows = [(f"build the index, {size:,} records", f"{built * 1000:,.0f} ms, {memory:,.0f} MB")]
    for kind, vocabulary in VOCABULARIES.items():
        rng = random.Random(7)
        fresh = [a_query(rng, thesaurus, vocabulary) for _ in range(repeat)]
        new = timed(lambda turn: shown(index, fresh[turn]), repeat)
        again = timed(lambda turn: shown(index, fresh[turn]), repeat)
        found = statistics.median(queries.page(index, one).total for one in fresh) / size
        rows += [(f"search not made before, {size:,}, {kind} ({found:.0%} found)", _ms(new)),
                 (f"the same search again, {size:,}, {kind}", _ms(again))]
    return rows


def trust_wide(rtype, thesaurus, repositories: int, repeat: int) -> list[tuple[str, str]]:
    indexes = [generated(rtype, 10_000, seed=number) for number in range(repositories)]
    for index in indexes:
        index.search()
    return [(f"trust-wide, {repositories} x 10,000 records, not made before, {kind}",
             _ms(timed(_trust_search(indexes, thesaurus, vocabulary, repeat), repeat)))
            for kind, vocabulary in VOCABULARIES.items()]


def _trust_search(indexes: list[RecordIndex], thesaurus, vocabulary: list[str], repeat: int):
    rng = random.Random(11)
    fresh = [a_query(rng, thesaurus, vocabulary) for _ in range(repeat)]

    def search(turn: int) -> None:
        """As /search asks: every repository's first 20 and counts; snippets for the 20 shown in all."""
        pages = [queries.page(index, replace(fresh[turn], per_page=20)) for index in indexes]
        for index in indexes:
            queries.facets(index, fresh[turn], ("status", YEAR))
        best = sorted(((score, number, ref) for number, page in enumerate(pages) for ref, score in page.scores.items()),
                      reverse=True)[:20]
        for _, number, ref in best:
            pages[number].snippets.get(ref)
    return search


def _resident() -> int:
    """This process's resident memory in bytes (tracemalloc would slow the build tenfold)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _ms(times: list[float]) -> str:
    ordered = sorted(times)
    return f"median {statistics.median(times):.1f} ms, p95 {ordered[int(len(ordered) * 0.95) - 1]:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--trust", type=int, default=5)
    args = parser.parse_args(argv)
    print("| relevance (57 queries, 176 records) | nDCG@5 | success@3 | no results |\n|---|---|---|---|")
    for name, ndcg5, success3, nothing in relevance():
        print(f"| {name} | {ndcg5:.3f} | {success3:.1%} | {nothing:.1%} |")
    project = load_project(Paths.from_env(str(ROOT / "schemas"), str(ROOT / "instances")), default_registry())
    rtype = project.types["qi-project"]
    print("\n| speed (in-process) | figure |\n|---|---|")
    for size in (int(one) for one in args.sizes.split(",")):
        for name, figure in speed(rtype, project.thesaurus, size, args.repeat):
            print(f"| {name} | {figure} |")
    for name, figure in trust_wide(rtype, project.thesaurus, args.trust, args.repeat):
        print(f"| {name} | {figure} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
