"""A ranked search page at any size: the records one common word finds alone are read best first, from the
index of that word's weights, and only as far as the page needs; only what anything else finds is scored.

Under the rule that any of up to three clauses will do (``parse.minimum_match``), a search holding a word
most records hold ("project" in "project 1234") finds nearly every record, and scoring them all is a pass
over that word's whole range of the terms' index: a million rows at a million records. But a record holding
only that word scores only that word, its weight times constants, so such records rank in the order of their
weights (then newest first, as equal scores do), which ``search_terms_ranked`` keeps. A page is then the best
``skip + take`` of two lists: the records anything else finds (``rest``, scored in full as
``search_scoring`` scores them), and the first ``skip + take`` of the common word's weight order that
``rest`` does not hold and the page's constraints keep. The total is how many hold the common word plus how
many of ``rest`` do not; without filters, the first is the dictionary's count less the bin's.

Taken only when the other words are rarer, together, than the common one (else there is nothing to gain),
when every clause may do alone (``at_least`` 1), with nothing excluded and no reference typed
(rules ``search_scoring`` applies to the whole set), and the common word counts in one clause only (its
score is then one multiple of its weight); otherwise the listing scores everything the search finds.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.search.parse import SearchQuery
from engine.store.postgres.clauses import Sql
from engine.store.postgres.search_scoring import Plan, combined, holders

#: Does the record ``r`` hold the common word (its parameters: the repository, the word)?
_HOLDS = "EXISTS (SELECT FROM search_terms h WHERE h.repo = %s AND h.term = %s AND h.number = r.number)"


@dataclass(frozen=True)
class Common:
    """A search split at its commonest word."""
    repo: int
    word: str
    held: int                   # how many records hold it, deleted ones included
    score: Sql                  # its score in the search terms' row ``t``
    rest: Sql | None            # the numbers of what anything else finds (None: nothing else)
    scored: Sql | None          # (number, score) of those records, in full


def common(made: Plan, searched: SearchQuery) -> Common | None:
    """The search split at its commonest word, or None where the split does not hold (see above)."""
    if searched.at_least > 1 or searched.excluded or searched.references or not made.words:
        return None
    word = max(made.words, key=lambda entry: (made.held.get(entry[1], 0), entry[1]))[1]
    entries = [entry for entry in made.words if entry[1] == word]
    if len(entries) != 1:
        return None
    _, _, idf, weight = entries[0]
    score: Sql = ("(t.weight::float8 * %s::float8) * %s::float8", [idf, weight])
    others = sorted({term for _, term, _, _ in made.words if term != word})
    if sum(made.held.get(term, 0) for term in others) >= made.held[word]:
        return None         # nothing is common enough to gain by: scoring everything costs no more
    rest = holders(made, others)
    if rest is None:
        return Common(made.repo, word, made.held[word], score, None, None)
    scored = combined(made, searched, within=(word, ("SELECT number FROM rest", [])))
    return Common(made.repo, word, made.held[word], score,
                  (f"SELECT DISTINCT number FROM ({rest[0]}) AS found", rest[1]), scored)


def total(conn, split: Common, constraints: Sql, live_pool: bool) -> int:
    """How many records the constraints keep of those the search finds (``live_pool``: the constraints are
    the live records, nothing more, so the common word's count is the dictionary's less the bin's)."""
    text, params = constraints
    holding = [split.repo, split.word]
    if live_pool:
        alone = split.held - _binned(conn, split)
    else:
        alone = conn.execute(f"SELECT count(*) FROM records r WHERE {text} AND {_HOLDS}",
                             [*params, *holding]).fetchone()[0]
    if split.rest is None:
        return alone
    rest, rest_params = split.rest
    more = conn.execute(f"SELECT count(*) FROM ({rest}) AS rest JOIN records r ON r.repo = %s "
                        f"AND r.number = rest.number WHERE {text} AND NOT {_HOLDS}",
                        [*rest_params, split.repo, *params, *holding]).fetchone()[0]
    return alone + more


def everywhere(conn, split: Common, deleted: bool) -> bool:
    """Does every record of the pool (the live ones, or the bin) hold the common word? Then the search
    keeps them all, and its counts are the pool's, which are kept (``listing_tables``, ``pair_tables``)."""
    binned = _binned(conn, split)
    pool = conn.execute("SELECT count FROM facet_counts WHERE repo = %s AND deleted = %s AND name = '' "
                        "AND key = ''", (split.repo, deleted)).fetchone()
    return (binned if deleted else split.held - binned) == (pool[0] if pool else 0)


def _binned(conn, split: Common) -> int:
    """How many deleted records hold the common word (the dictionary counts them with the live ones)."""
    return conn.execute(f"SELECT count(*) FROM records r WHERE r.repo = %s AND r.deleted AND {_HOLDS}",
                        [split.repo, split.repo, split.word]).fetchone()[0]


def rows(conn, split: Common, constraints: Sql, skip: int, take: int) -> list[tuple[int, str, str, float]]:
    """The page's (number, reference, document's text, score), the most relevant first, equal scores newest
    first."""
    text, params = constraints
    score, score_params = split.score
    unscored = "" if split.rest is None else " AND t.number NOT IN (SELECT number FROM rest)"     # hashed
    alone = (f"SELECT t.number, {score} AS score FROM search_terms t JOIN records r ON r.repo = t.repo "
             f"AND r.number = t.number WHERE t.repo = %s AND t.term = %s{unscored} AND {text} "
             "ORDER BY t.weight DESC, t.number DESC LIMIT %s")
    alone_params = [*score_params, split.repo, split.word, *params, skip + take]
    if split.rest is None:
        return conn.execute(f"SELECT r.number, r.reference, r.doc::text, a.score FROM ({alone}) AS a "
                            "JOIN records r ON r.repo = %s AND r.number = a.number "
                            "ORDER BY a.score DESC, a.number DESC LIMIT %s OFFSET %s",
                            [*alone_params, split.repo, take, skip]).fetchall()
    (rest, rest_params), (scored, scored_params) = split.rest, split.scored
    return conn.execute(
        f"WITH rest AS MATERIALIZED ({rest}), scored AS MATERIALIZED ({scored}) "
        "SELECT r.number, r.reference, r.doc::text, s.score FROM "
        f"((SELECT number, score FROM scored) UNION ALL ({alone})) AS s "
        f"JOIN records r ON r.repo = %s AND r.number = s.number WHERE {text} "
        "ORDER BY s.score DESC, s.number DESC LIMIT %s OFFSET %s",
        [*rest_params, *scored_params, *alone_params, split.repo, *params, take, skip]).fetchall()
