"""Measuring a search against the relevance collection: nDCG@5, success@3 and the share of queries that
find nothing, for the engine's trust-wide search or for any other ranking given as a function.

Shared by tests/search/relevance/test_relevance.py (which fails when the figures drop) and bench/search.py
(which prints them beside the substring search this engine had before).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Callable, Iterable

from corpus import build_project, load_records, read_queries

from engine.access import User
from engine.search.parse import parse
from engine.web.app import create_app
from engine.web.finding import search_trust

#: Sees every instance, the members-only one included: the judgments cover every record.
READER = User(username="librarian", site_admin=True)
DEPTH = 10

Ranking = Callable[[str], list[str]]        # query -> corpus ids, best first


@dataclass(frozen=True)
class Figures:
    ndcg5: float
    success3: float
    nothing: float
    per_query: tuple[tuple[str, float], ...]


def ndcg(found: list[str], judged: dict[str, int], depth: int = 5) -> float:
    def gain(grades: Iterable[int]) -> float:
        return sum((2 ** grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))
    ideal = gain(sorted(judged.values(), reverse=True)[:depth])
    return gain(judged.get(one, 0) for one in found[:depth]) / ideal if ideal else 0.0


def measure(rank: Ranking) -> Figures:
    queries = read_queries()
    scored, successes, empty = [], [], []
    for query in queries:
        found = rank(query["q"])
        judged = query["judgments"]
        scored.append((query["q"], ndcg(found, judged)))
        successes.append(any(judged.get(one, 0) >= 2 for one in found[:3]))
        empty.append(not found)
    return Figures(mean(s for _, s in scored), mean(successes), mean(empty), tuple(scored))


def corpus_app(root: Path, database_url: str | None = None):
    """The app on a project folder holding the corpus (its data in the PostgreSQL site ``database_url``
    names, if any), and corpus id by (instance, repository, reference)."""
    build_project(root)
    app = create_app({"TESTING": True, "SECRET_KEY": "relevance", "SCHEMAS": str(root / "schemas"),
                      "INSTANCES": str(root / "instances"), "DATA": str(root / "data"),
                      "DATABASE_URL": database_url})
    ids = load_records(app)
    return app, ids


def engine_ranking(app, ids: dict[str, str]) -> Ranking:
    """The trust-wide search, as a person who may read everything sees it."""
    site = app.extensions["repo_engine"]
    by_place = _by_place(site, ids)

    def rank(q: str) -> list[str]:
        results = search_trust(site, READER, parse(q, site.project.thesaurus), chosen={}, per_page=DEPTH)
        return [by_place[(hit.hosted.instance.name, hit.hosted.name, hit.record.reference)] for hit in results.hits]
    return rank


def _by_place(site, ids: dict[str, str]) -> dict[tuple[str, str, str], str]:
    """corpus id by where its record lives: references repeat across repositories, so ids are mapped by all three."""
    from corpus import read_corpus
    records = read_corpus()["records"]
    return {(record["instance"], record["repository"], ids[record["id"]]): record["id"] for record in records}
