"""Answering a ``SearchQuery`` from a ``TextIndex``: which records match and how well (BM25F).

A term's score in a record is ``idf(term) * tf' * (K1 + 1) / (K1 + tf')``, where ``tf'`` adds up the term's
occurrences in each searched field times the field's weight, each field's count scaled by its length
against that field's usual length (BM25F; the saturated part is kept in the index, ``weights.py``). A
clause scores its best alternative (a synonym found beside the word typed does not count twice); a record's
score is the sum over the clauses it matches, so records matching more, and rarer, words come first. A
record must match ``SearchQuery.at_least`` clauses, unless no record does, when any one will do. Answers are
remembered for the life of the index (one snapshot of the data).

``idf`` and ``alternatives`` (with ``PREFIX_WEIGHT`` and ``PREFIX_LIMIT``) are the rules the PostgreSQL
backend scores by too (``engine.store.postgres.search_scoring``), so both rank alike.
"""
from __future__ import annotations

import math
from itertools import compress
from typing import Callable, Iterable, Iterator

from engine.search.index import TextIndex
from engine.search.parse import Clause, SearchQuery, Term

#: How much a longer word that the last word typed begins counts, against the word itself.
PREFIX_WEIGHT = 0.6
PREFIX_LIMIT = 20

Scores = dict[int, float]


def scores(index: TextIndex, query: SearchQuery) -> dict[str, float]:
    """Reference -> score of every current record the query matches."""
    return _remembered(index, ("query", query), lambda: _evaluate(index, query))


def _evaluate(index: TextIndex, query: SearchQuery) -> dict[str, float]:
    per_clause = [_clause(index, clause) for clause in query.clauses]
    totals: Scores = dict(per_clause[0]) if per_clause else {}
    for found in per_clause[1:]:
        for docno, score in found.items():
            totals[docno] = totals.get(docno, 0.0) + score
    left_out = set().union(*(_term(index, term) for term in query.excluded)) if query.excluded else set()
    for at_least in dict.fromkeys((query.at_least, 1)):
        enough = totals.keys() if at_least == 1 else _matching_at_least(per_clause, at_least)
        kept = _current(index, enough, totals, left_out)
        if kept or not query.clauses:
            return kept
    return {}


def _current(index: TextIndex, docnos: Iterable[int], totals: Scores, left_out: set[int]) -> dict[str, float]:
    """Reference -> score of the docnos that are records' current versions and not left out. Tens of
    thousands at a time, so the loop runs in C (compress, map) rather than in a comprehension."""
    docnos = list(compress(docnos, map(index.alive.__getitem__, docnos)))
    if left_out:
        docnos = [docno for docno in docnos if docno not in left_out]
    return dict(zip(map(index.refs.__getitem__, docnos), map(totals.__getitem__, docnos)))


def _matching_at_least(per_clause: list[Scores], at_least: int) -> list[int]:
    matched: dict[int, int] = {}
    for found in per_clause:
        for docno in found:
            matched[docno] = matched.get(docno, 0) + 1
    return [docno for docno, count in matched.items() if count >= at_least]


def _clause(index: TextIndex, clause: Clause) -> Scores:
    """The best alternative's score in each record (a synonym found beside the word does not count twice)."""
    found = [(_term(index, term), weight) for term, weight in alternatives(clause, index.terms_starting)]
    if len(found) == 1 and found[0][1] == 1.0:
        return found[0][0]          # the usual case: one word, nothing to compare (never changed: remembered)
    best: Scores = {}
    for scores_of, weight in found:
        for docno, score in scores_of.items():
            score *= weight
            if score > best.get(docno, 0.0):
                best[docno] = score
    return best


def alternatives(clause: Clause, terms_starting: Callable[[str, int], list[str]]) -> Iterator[tuple[Term, float]]:
    """Each way to match a clause with what a match on it counts: its terms, then, for a last word typed,
    the most common longer terms it begins (``terms_starting(prefix, limit)``, most common first)."""
    for term in clause.alternatives:
        yield term, term.weight
    if clause.prefix:
        typed = {term.terms for term in clause.alternatives}
        for found in terms_starting(clause.prefix, PREFIX_LIMIT):
            if (found,) not in typed:
                yield Term((found,), found), PREFIX_WEIGHT


def _term(index: TextIndex, term: Term) -> Scores:
    """Docno -> score of one word or phrase, alive or not (the caller keeps only current records)."""
    def compute() -> Scores:
        if not term.is_phrase:
            ids, weights = index.postings.get(term.terms[0], ((), ()))
            weight = idf(index.size, index.held[term.terms[0]])
            return {docno: weight * saturated for docno, saturated in zip(ids, weights)}
        return _phrase(index, term.terms)
    return _remembered(index, ("term", term.terms), compute)


def idf(records: int, holding: int) -> float:
    """How rare a term held by ``holding`` of ``records`` records is (BM25's, never below zero)."""
    n = max(records, holding)
    return math.log(1 + (n - holding + 0.5) / (holding + 0.5))


def _phrase(index: TextIndex, terms: tuple[str, ...]) -> Scores:
    """Records holding every pair of neighbouring words of the phrase; a pair's weight is kept like a
    word's, and the phrase counts as much as its weakest pair."""
    lists = [index.pairs.get(f"{one} {two}", ((), ())) for one, two in zip(terms, terms[1:])]
    lists.sort(key=lambda found: len(found[0]))
    if not lists[0][0]:
        return {}
    weakest = dict(zip(*lists[0]))
    for ids, weights in lists[1:]:
        weakest = {docno: min(weakest[docno], weight) for docno, weight in zip(ids, weights) if docno in weakest}
        if not weakest:
            return {}
    weight = idf(index.size, sum(map(index.alive.__getitem__, weakest)))     # current records only
    return {docno: weight * saturated for docno, saturated in weakest.items()}


def _remembered(index: TextIndex, key, compute):
    return index.memo.remember(key, compute)
