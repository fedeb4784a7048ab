"""The best page of a search whose words many records hold, without scoring every record they find.

A record's score is, clause by clause, its best alternative's weight times that word's idf (times the
alternative's weight), summed in clause order (``search_scoring``). The terms' index keeps each word's
records in order of their weight in them, then newest first (``search_terms_ranked``), so the threshold
algorithm applies: read the first ``depth`` records of each word's list (under the page's constraints),
score every record seen in full, and bound the score of any record not seen by the words' weights where
their lists were left (a clause's bound is its best alternative's; a list read to its end bounds nothing).
When the ``skip + take``-th best record seen scores above that bound, no record unseen can come before it,
and the page is exact: the same records, scores and order as scoring everything (tests/store check it on
ties and on random data). Otherwise the lists are read deeper, up to ``DEEPEST``; past that, and for what
this does not cover (``at_least`` above 1, excluded words, a typed reference), the listing scores every
record found.

Equal scores go newest first, and a list's equal weights newest first too, so a record not seen whose
number is above the last record a page needs is below every list's frontier in weight, strictly: it is
bounded by the largest ``real`` below each frontier instead (``_below``), and equal scores at the bound do
not need the lists read further. Weights are read as ``float8``: the exact value of the ``real`` kept, which
is what the SQL scoring multiplies.

Phrases have no such index: the records holding the search's phrases are read whole and scored with the
rest (at most ``PHRASED`` of them; past that, everything is scored).
"""
from __future__ import annotations

import struct
from collections import defaultdict

from engine.search.parse import SearchQuery
from engine.store.postgres.clauses import Sql
from engine.store.postgres.search_scoring import Plan, clause_of

#: Below this many records holding the search's words in all, scoring them all is as quick.
WORTHWHILE = 20_000
#: How far each word's list is read first, at least (twice the records the page needs, if more).
FIRST = 100
#: The deepest a word's list is read, in records, before scoring everything instead.
DEEPEST = 50_000
#: The most records holding the search's phrases that are read whole.
PHRASED = 10_000

Row = tuple[int, str, str, float]


def rows(conn, made: Plan, searched: SearchQuery, constraints: Sql, skip: int, take: int) -> list[Row] | None:
    """The page's (number, reference, document's text, score), the most relevant first, equal scores newest
    first; None where this does not apply or would read too deep (the caller scores everything)."""
    if (searched.at_least > 1 or searched.excluded or searched.references or not made.words
            or sum(made.held.get(term, 0) for _, term, _, _ in made.words) < WORTHWHILE):
        return None
    scoring = _Scoring(made, len(searched.clauses))
    phrased = _phrased(conn, made, constraints)
    if phrased is None:
        return None
    scores = {number: scoring.score(weights, phrased[number])
              for number, weights in _weights(conn, made.repo, scoring.terms, list(phrased)).items()}
    wanted, depth = skip + take, max(2 * (skip + take), FIRST)
    every_clause, tried = False, False
    while depth <= DEEPEST:
        frontiers, seen = _read(conn, made, scoring.terms, constraints, depth)
        _score(conn, made.repo, scoring, scores, seen, phrased)
        ordered = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))
        if not tried and not scoring.settled(ordered, wanted, frontiers, every_clause):
            # Records matching every clause usually come first, and there are far fewer of them: once they
            # are all scored, a record not seen misses a clause, which bounds it much lower.
            tried, holding = True, _holding_every_clause(conn, made, scoring, constraints)
            if holding is not None:
                every_clause = True
                _score(conn, made.repo, scoring, scores, holding, phrased)
                ordered = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))
        if scoring.settled(ordered, wanted, frontiers, every_clause):
            return _page(conn, made.repo, ordered[skip:skip + take])
        depth *= 4
    return None


def _score(conn, repo: int, scoring: "_Scoring", scores: dict[int, float], numbers, phrased) -> None:
    """Score the records ``numbers`` not scored yet, in full."""
    new = [number for number in numbers if number not in scores]
    for number, weights in _weights(conn, repo, scoring.terms, new).items():
        scores[number] = scoring.score(weights, phrased.get(number, {}))


class _Scoring:
    """A record's score from its words' weights and its phrases' scores, as ``search_scoring`` sums them;
    and the bound on the score of a record no list has shown yet."""

    def __init__(self, made: Plan, clauses: int):
        self.clauses = clauses
        # (clause, term, idf, weight); a term named twice in a clause counts as first named, as the SQL's
        # CASE takes it
        first: dict[tuple[int, str], tuple[int, str, float, float]] = {}
        for entry in made.words:
            first.setdefault(entry[:2], entry)
        self.words = list(first.values())
        self.terms = sorted({term for _, term, _, _ in made.words})

    def score(self, weights: dict[str, float], phrases: dict[int, float]) -> float:
        best: list[float | None] = [None] * self.clauses
        for clause, term, idf, weight in self.words:
            if term in weights:
                best[clause] = _greatest(best[clause], (weights[term] * idf) * weight)
        for clause, score in phrases.items():
            best[clause] = _greatest(best[clause], score)
        return _sum(best)

    @property
    def worded(self) -> list[int]:
        """The clauses a word can match (a clause of phrases only is matched by the phrased records)."""
        return sorted({clause for clause, _, _, _ in self.words})

    def bound(self, frontiers: dict[str, tuple[float, int] | None], strictly: bool, every_clause: bool) -> float:
        """The most a record not seen can score: each word at its list's frontier weight (``strictly``:
        the largest ``real`` below it), nothing for a word whose list was read to its end; with
        ``every_clause`` (the records matching every clause a word can match are scored), one of those
        clauses unmatched, whichever leaves the most."""
        best: list[float | None] = [None] * self.clauses
        for clause, term, idf, weight in self.words:
            frontier = frontiers[term]
            if frontier is not None:
                at = _below(frontier[0]) if strictly else frontier[0]
                best[clause] = _greatest(best[clause], (at * idf) * weight)
        return max(_sum(best[:clause] + [None] + best[clause + 1:]) for clause in self.worded) if every_clause \
            else _sum(best)

    def settled(self, ordered: list[tuple[int, float]], wanted: int, frontiers: dict, every_clause: bool
                ) -> bool:
        """Can no record unseen come among the first ``wanted`` of ``ordered``?"""
        if all(frontier is None for frontier in frontiers.values()):
            return True
        if len(ordered) < wanted:
            return False
        number, score = ordered[wanted - 1]
        bound = self.bound(frontiers, strictly=False, every_clause=every_clause)
        if bound < score:
            return True
        # An unseen record numbered above the last one wanted would win a tie: but every list shows its
        # equal weights newest first, so if all their frontiers are older, its weights are all lower.
        newest_left = max(frontier[1] for frontier in frontiers.values() if frontier is not None)
        return (bound <= score and number >= newest_left
                and self.bound(frontiers, strictly=True, every_clause=every_clause) < score)


def _sum(best: list[float | None]) -> float:
    """The clauses' scores added in clause order, an unmatched one as nothing (the SQL's sum)."""
    total = 0.0
    for one in best:
        total = total + (one if one is not None else 0.0)
    return total


def _greatest(one: float | None, other: float) -> float:
    return other if one is None or other > one else one


def _below(weight: float) -> float:
    """The largest ``real`` (single precision) below a positive one."""
    bits = struct.unpack("<I", struct.pack("<f", weight))[0]
    return struct.unpack("<f", struct.pack("<I", bits - 1))[0] if bits > 0 else 0.0


#: The first records of each word's list under the constraints (the records row ``r``), best first.
_LISTS = ("SELECT w.term, s.number, s.weight::float8 FROM unnest(%s::text[]) AS w(term) CROSS JOIN LATERAL "
          "(SELECT t.number, t.weight FROM search_terms t JOIN records r ON r.repo = t.repo AND r.number = t.number "
          "WHERE t.repo = %s AND t.term = w.term AND {constraints} "
          "ORDER BY t.weight DESC, t.number DESC LIMIT %s) AS s")


def _read(conn, made: Plan, terms: list[str], constraints: Sql, depth: int
          ) -> tuple[dict[str, tuple[float, int] | None], set[int]]:
    """Each word's frontier (the weight and number its list was left at; None: read to its end) and the
    numbers seen."""
    text, params = constraints
    read: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for term, number, weight in conn.execute(_LISTS.format(constraints=text),
                                             [terms, made.repo, *params, depth]):
        read[term].append((number, weight))
    frontiers = {term: ((read[term][-1][1], read[term][-1][0]) if len(read[term]) == depth else None)
                 for term in terms}
    return frontiers, {number for listed in read.values() for number, _ in listed}


def _holding_every_clause(conn, made: Plan, scoring: "_Scoring", constraints: Sql) -> list[int] | None:
    """The numbers of the records the constraints keep that hold a word of every clause words can match,
    found from the rarest clause's records; None where there are fewer than two such clauses (nothing to
    gain) or more than ``DEEPEST`` records."""
    clauses = sorted((sorted({term for clause, term, _, _ in scoring.words if clause == one})
                      for one in scoring.worded), key=lambda terms: sum(made.held.get(term, 0) for term in terms))
    repo = made.repo
    if len(clauses) < 2:
        return None
    text, params = constraints
    holds = " AND ".join("EXISTS (SELECT FROM search_terms h WHERE h.repo = %s AND h.term = ANY(%s) "
                         "AND h.number = r.number)" for _ in clauses[1:])
    found = conn.execute(
        "SELECT DISTINCT t.number FROM search_terms t JOIN records r ON r.repo = t.repo AND r.number = t.number "
        f"WHERE t.repo = %s AND t.term = ANY(%s) AND {holds} AND {text} LIMIT %s",
        [repo, clauses[0], *(one for terms in clauses[1:] for one in (repo, terms)), *params, DEEPEST + 1]
    ).fetchall()
    return None if len(found) > DEEPEST else [number for number, in found]


def _weights(conn, repo: int, terms: list[str], numbers: list[int]) -> dict[int, dict[str, float]]:
    """Every word's weight in each of the records ``numbers``."""
    weights: dict[int, dict[str, float]] = {number: {} for number in numbers}
    if numbers:
        for term, number, weight in conn.execute(
                "SELECT term, number, weight::float8 FROM search_terms WHERE repo = %s AND term = ANY(%s) "
                "AND number = ANY(%s)", (repo, terms, numbers)):
            weights[number][term] = weight
    return weights


def _phrased(conn, made: Plan, constraints: Sql) -> dict[int, dict[int, float]] | None:
    """Number -> clause -> best phrase score, of the records holding a phrase of the search that the
    constraints keep; None if there are more than ``PHRASED``."""
    if not made.phrases:
        return {}
    text, params = constraints
    selects = " UNION ALL ".join(f"SELECT %s::int AS clause, number, score FROM ({phrase}) AS p"
                                 for phrase, _ in made.phrases.values())
    phrase_params = [one for key, (_, more) in made.phrases.items() for one in (clause_of(key), *more)]
    found = conn.execute(f"SELECT p.clause, p.number, p.score FROM ({selects}) AS p JOIN records r "
                         f"ON r.repo = %s AND r.number = p.number WHERE {text} LIMIT %s",
                         [*phrase_params, made.repo, *params, PHRASED + 1]).fetchall()
    if len(found) > PHRASED:
        return None
    phrased: dict[int, dict[int, float]] = defaultdict(dict)
    for clause, number, score in found:
        phrased[number][clause] = _greatest(phrased[number].get(clause), score)
    return phrased


def _page(conn, repo: int, ordered: list[tuple[int, float]]) -> list[Row]:
    """The page's rows, in its order."""
    if not ordered:
        return []
    found = {number: (reference, doc) for number, reference, doc in conn.execute(
        "SELECT number, reference, doc::text FROM records WHERE repo = %s AND number = ANY(%s)",
        (repo, [number for number, _ in ordered]))}
    return [(number, *found[number], score) for number, score in ordered]
