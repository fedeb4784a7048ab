"""A ``SearchQuery`` as one SQL select of (number, score), scored in the database as ``engine.search.ranking``
scores it in memory.

The few look-ups that decide the shape of the query come first, in Python, with the rules of ``ranking``
itself: how many records there are (N), how many hold each word (its idf, by ``ranking.idf``), and which
longer terms the last word typed may begin (``ranking.alternatives``). The select then reads every word's
weights in one scan of the terms' index (``search_terms``; one word alone is a plain range of it), each
phrase's as the records holding all its pairs (the weakest pair counts), keeps each clause's best
alternative, adds the clauses up in their order (so the sums are the embedded store's to the last bit),
leaves out the excluded words' records, asks for ``at_least`` clauses unless no record has that many, and
puts a reference typed as the search on top.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.schema.model import RepositoryType
from engine.search import ranking
from engine.search.parse import SearchQuery, Term
from engine.store.documents import format_reference

Sql = tuple[str, list[Any]]
NOTHING = "SELECT NULL::bigint AS number, NULL::float8 AS score WHERE false"
#: ``ranking.idf`` in SQL, of N (the first parameter) and how many records hold the phrase (``held``): the
#: same operations in the same order, so the same double to the last bit (tests/search check it).
IDF = "ln(1 + ((greatest(%s::bigint, held) - held)::float8 + 0.5) / (held::float8 + 0.5))"


@dataclass
class Plan:
    """The select being made: the words to read, (clause, term, idf, weight) each, and one select of
    (clause, number, score) per phrase, with its parameters."""
    repo: int
    records: int
    held: dict[str, int]
    words: list[tuple[int, str, float, float]] = field(default_factory=list)
    phrases: dict[str, Sql] = field(default_factory=dict)


def found_sql(conn, rtype: RepositoryType, repo: int, searched: SearchQuery, made: Plan | None = None) -> Sql:
    """(number, score) of every record the search finds, deleted ones included (``made``: its plan, if
    already made)."""
    text, params = combined(made or plan(conn, repo, searched), searched)
    return _referenced(rtype, repo, searched, text, params)


def found_numbers(rtype: RepositoryType, repo: int, searched: SearchQuery, made: Plan) -> Sql | None:
    """The numbers of every record the search finds, without scoring them, where that needs no score: to
    count them and their facets (a union of the words' ranges of the index, with no sum per record to keep).
    None where a record's matched clauses must be counted (``at_least`` above 1)."""
    if searched.at_least > 1:
        return None
    parts, params = [], []
    found = holders(made, sorted({term for _, term, _, _ in made.words}))
    if found is not None:
        left_out, excluded = _excluded(made, searched)
        parts.append(f"SELECT number FROM ({found[0]}) AS found" + (f" WHERE number NOT IN ({left_out})"
                                                                    if left_out else ""))
        params += found[1] + excluded
    typed = _typed(rtype, searched)
    if typed:
        parts.append("SELECT number FROM records WHERE repo = %s AND reference = ANY(%s)")
        params += [repo, typed]
    return (" UNION ALL ".join(parts), params) if parts else (NOTHING, [])


def holders(made: Plan, words: list[str]) -> Sql | None:
    """The numbers of the records holding any of ``words`` or any of the search's phrases, a number once for
    each it holds (None: no words, no phrases)."""
    parts, params = [], []
    if words:
        parts.append("SELECT number FROM search_terms WHERE repo = %s AND term = ANY(%s)")
        params += [made.repo, words]
    for text, more in made.phrases.values():
        parts.append(f"SELECT number FROM ({text}) AS phrase")
        params += more
    return (" UNION ALL ".join(parts), params) if parts else None


def clause_of(key: str) -> int:
    """The clause a phrase of ``Plan.phrases`` is an alternative of (its key is ``#clause.n``)."""
    return int(key[1:].split(".")[0])


def plan(conn, repo: int, searched: SearchQuery) -> Plan:
    """The words and phrases the search reads, with their idf and weights."""
    made = _plan(conn, repo, searched)
    for number, clause in enumerate(searched.clauses):
        for term, weight in ranking.alternatives(clause, lambda prefix, limit: _starting(conn, made, prefix, limit)):
            _add(made, number, term, weight)
    return made


def _plan(conn, repo: int, searched: SearchQuery) -> Plan:
    """N, and how many records hold each word the search names (the prefixes' words are looked up later)."""
    words = sorted({term.terms[0] for clause in searched.clauses for term in clause.alternatives
                    if not term.is_phrase} | {term.terms[0] for term in searched.excluded if not term.is_phrase})
    row = conn.execute("SELECT records FROM search_repositories WHERE repo = %s", (repo,)).fetchone()
    held = dict(conn.execute("SELECT term, records FROM search_dictionary WHERE repo = %s AND term = ANY(%s)",
                             (repo, words)).fetchall()) if words else {}
    return Plan(repo, row[0] if row else 0, held)


def _starting(conn, plan: Plan, prefix: str, limit: int) -> list[str]:
    """``TextIndex.terms_starting`` from the dictionary: the most common longer terms beginning with the
    prefix, equals in code-point order."""
    rows = conn.execute("SELECT term, records FROM search_dictionary WHERE repo = %s AND term LIKE %s "
                        "AND term <> %s ORDER BY records DESC, term LIMIT %s",
                        (plan.repo, _like(prefix), prefix, limit)).fetchall()
    plan.held.update(rows)
    return [term for term, _ in rows]


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _add(plan: Plan, clause: int, term: Term, weight: float) -> None:
    """One way of matching clause number ``clause`` (a word no record holds matches nothing)."""
    if not term.is_phrase:
        held = plan.held.get(term.terms[0], 0)
        if held:
            plan.words.append((clause, term.terms[0], ranking.idf(plan.records, held), weight))
        return
    held_sql, held_params = _phrase(plan.repo, term)
    plan.phrases[f"#{clause}.{len(plan.phrases)}"] = (
        f"SELECT number, (weakest::float8 * {IDF}) * %s::float8 AS score "
        f"FROM (SELECT number, weakest, count(*) OVER () AS held FROM ({held_sql}) AS p) AS h",
        [plan.records, weight, *held_params])


def _per(plan: Plan, clauses: range, within: Sql | None = None) -> Sql:
    """(number, c0, c1, ...): each record's best score in each clause. The words are aggregated straight
    from one scan of the terms' index, so that the planner knows from the table's statistics how many
    records they find (through a union it would guess 200, and join the records one by one); the phrases
    are aggregated on their own and joined beside them."""
    parts = []
    if plan.words:
        rows, params = _word_rows(plan, within)
        parts.append(_aggregated(plan, clauses, rows, params, phrases=False))
    if plan.phrases:
        rows = " UNION ALL ".join(f"SELECT %s::text AS key, number, score AS weight FROM ({text}) AS phrase"
                                  for text, _ in plan.phrases.values())
        params = [one for key, (_, more) in plan.phrases.items() for one in (key, *more)]
        parts.append(_aggregated(plan, clauses, rows, params, phrases=True))
    if len(parts) == 1:
        return parts[0]
    (words, first), (phrases, second) = parts
    best = ", ".join(f"greatest(w.c{number}, p.c{number}) AS c{number}" for number in clauses)
    return (f"SELECT coalesce(w.number, p.number) AS number, {best} FROM ({words}) AS w "
            f"FULL JOIN ({phrases}) AS p ON p.number = w.number", first + second)


def _word_rows(plan: Plan, within: Sql | None) -> Sql:
    """(key, number, weight) of the words' records; with ``within`` = (the word, a select of numbers), that
    word's only among those numbers (``search_ranked`` scores the records a common word finds alone apart)."""
    words = sorted({term for _, term, _, _ in plan.words})
    if within is None:
        return ("SELECT term AS key, number, weight::float8 AS weight FROM search_terms "
                "WHERE repo = %s AND term = ANY(%s)", [plan.repo, words])
    (word, (numbers, params)) = within
    return ("SELECT term AS key, number, weight::float8 AS weight FROM search_terms "
            "WHERE repo = %s AND term = ANY(%s) UNION ALL "
            f"SELECT t.term, t.number, t.weight::float8 FROM ({numbers}) AS w JOIN search_terms t "
            "ON t.repo = %s AND t.term = %s AND t.number = w.number",
            [plan.repo, [one for one in words if one != word], *params, plan.repo, word])


def _aggregated(plan: Plan, clauses: range, rows: str, params: list[Any], phrases: bool) -> Sql:
    """(number, c0, c1, ...) of ``rows`` (key, number, weight): the best of each clause's alternatives
    among them, the word's weight times its idf (times the alternative's weight), or the phrase's score."""
    columns, first = [], []
    for clause in clauses:
        cases, more = [], []
        if phrases:
            for key in plan.phrases:
                if clause_of(key) == clause:
                    cases.append("WHEN %s::text THEN weight")
                    more.append(key)
        else:
            for number, term, idf, weight in plan.words:
                if number == clause:
                    cases.append("WHEN %s::text THEN (weight * %s::float8) * %s::float8")
                    more += [term, idf, weight]
        columns.append(f"max(CASE key {' '.join(cases)} END) AS c{clause}" if cases
                       else f"NULL::float8 AS c{clause}")
        first += more
    return f"SELECT number, {', '.join(columns)} FROM ({rows}) AS hits GROUP BY number", first + params


def _phrase(repo: int, term: Term) -> Sql:
    """(number, weakest) of the records holding every pair of neighbouring words of a phrase."""
    pairs = sorted({f"{one} {two}" for one, two in zip(term.terms, term.terms[1:])})
    if len(pairs) == 1:
        return "SELECT number, weight AS weakest FROM search_pairs WHERE repo = %s AND pair = %s", [repo, pairs[0]]
    return ("SELECT number, min(weight) AS weakest FROM search_pairs WHERE repo = %s AND pair = ANY(%s) "
            "GROUP BY number HAVING count(*) = %s", [repo, pairs, len(pairs)])


def _excluded(plan: Plan, searched: SearchQuery) -> Sql:
    """The numbers of the records holding any excluded word or phrase."""
    parts, params = [], []
    for term in searched.excluded:
        if term.is_phrase:
            text, more = _phrase(plan.repo, term)
            parts.append(f"SELECT number FROM ({text}) AS p")
            params += more
        elif plan.held.get(term.terms[0]):
            parts.append("SELECT number FROM search_terms WHERE repo = %s AND term = %s")
            params += [plan.repo, term.terms[0]]
    return " UNION ALL ".join(parts), params


def combined(plan: Plan, searched: SearchQuery, within: tuple[str, Sql] | None = None) -> Sql:
    """Each record's best alternative per clause, summed in clause order; excluded records left out; at
    least ``at_least`` clauses matched, unless no record matches that many. ``within``: see ``_word_rows``."""
    if not plan.words and not plan.phrases:
        return NOTHING, []
    left_out, excluded = _excluded(plan, searched)
    if len(plan.words) == 1 and not plan.phrases and not left_out and within is None:
        _, term, idf, weight = plan.words[0]        # the usual search: one word, a plain range of the index
        return ("SELECT number, (weight::float8 * %s::float8) * %s::float8 AS score FROM search_terms "
                "WHERE repo = %s AND term = %s", [idf, weight, plan.repo, term])
    clauses = range(len(searched.clauses))
    per, params = _per(plan, clauses, within)
    total = " + ".join(f"coalesce(c{number}, 0::float8)" for number in clauses)
    matched = " + ".join(f"(c{number} IS NOT NULL)::int" for number in clauses)
    text = (f"WITH per AS ({per}), totals AS (SELECT number, {total} AS score, {matched} AS matched FROM per"
            + (f" WHERE number NOT IN ({left_out}))" if left_out else ")"))
    params += excluded
    if searched.at_least <= 1:
        return text + " SELECT number, score FROM totals", params
    return (text + " SELECT number, score FROM totals WHERE matched >= CASE WHEN EXISTS "
            "(SELECT FROM totals WHERE matched >= %s) THEN %s ELSE 1 END", params + [searched.at_least] * 2)


def _referenced(rtype: RepositoryType, repo: int, searched: SearchQuery, text: str, params: list[Any]) -> Sql:
    """The search's records, and a reference typed as the search on top (``engine.store.query._scores``)."""
    references = _typed(rtype, searched)
    if not references:
        return text, params
    return (f"WITH found AS ({text}), typed AS (SELECT number FROM records WHERE repo = %s AND reference = ANY(%s)) "
            "SELECT number, score FROM found WHERE number NOT IN (SELECT number FROM typed) UNION ALL "
            "SELECT number, (SELECT coalesce(max(score), 0::float8) + 1 FROM found) FROM typed",
            params + [repo, references])


def _typed(rtype: RepositoryType, searched: SearchQuery) -> list[str]:
    """The references of this repository typed as the search."""
    prefix = rtype.reference_prefix
    return sorted({format_reference(prefix, number) for asked, number in searched.references
                   if asked == prefix.casefold()})
