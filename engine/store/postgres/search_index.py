"""Keeping the search tables (``search_tables``) in step with the record rows, in the write's transaction.

Each record written is weighed by ``engine.search.weights``, the rule the embedded index follows, and what it
gave before is taken back first (``search_records`` remembers it). The weights depend on each searched
field's usual length, learnt from a sample of the records: the first write of a repository (or the first
since the search tables were made) indexes every record of it, and so does each write that finds the
repository doubled since the lengths were learnt, until the sample is full (``SAMPLE``): a repository's
first few records say little about what is usual. After that the lengths stay fixed until a reindex
(``rebuild``), as an embedded index keeps the lengths it was built with.
"""
from __future__ import annotations

import json
from array import array
from collections import Counter
from itertools import repeat
from typing import Any, Collection, Iterable, Iterator, Mapping, Sequence

from engine.evolution.renames import renames_of
from engine.schema.model import RepositoryType
from engine.search.fields import Searched, searched_fields
from engine.search.weights import SAMPLE, Weighed, average_lengths, record_passages, sample, weigh

Doc = Mapping[str, Any]
#: Records read from the database at a time while indexing a whole repository.
BATCH = 2000


def index_records(conn, rtype: RepositoryType, repo: int, docs: Sequence[tuple[int, Doc]],
                  fresh: Collection[int], state: tuple | None, later=None) -> None:
    """Index (again) the records ``docs`` (number, stored document) in the write's own transaction, after
    their rows and their attachments' rows are written; the last document of a number counts. ``fresh``:
    numbers just made, which nothing was indexed under; ``state``: the repository's row of
    ``search_repositories`` (records, lengths, learnt_from) as the write read it under the repository's lock
    (None: there is none yet). ``later`` sends what needs no answer (held back to go with the commit:
    ``writing.Batched``), at once without it: a save of new records then asks the database nothing here."""
    docs = dict(docs)
    if not docs:
        return
    write = later or conn.execute
    earlier = {} if set(docs) <= set(fresh) else _earlier(conn, repo, list(docs))
    if state is None or _relearn(state[0] + len(docs) - len(earlier), state[2]):
        rebuild(conn, rtype, repo)
        return
    searched = searched_fields(rtype)
    weighed = _weighed(conn, searched, _lengths(searched, state[1]), repo, docs)
    _take_back(write, repo, earlier)
    _put(conn, write, repo, weighed, {number: not doc.get("deleted") for number, doc in docs.items()}, earlier)
    write("UPDATE search_repositories SET records = records + %s WHERE repo = %s", (len(docs) - len(earlier), repo))


def rebuild(conn, rtype: RepositoryType, repo: int) -> None:
    """Index every record of the repository again, learning the fields' usual lengths afresh (a reindex, a
    repository filled in bulk, the first write of a repository)."""
    for table in ("search_terms", "search_pairs", "search_dictionary", "search_words", "search_records"):
        conn.execute(f"DELETE FROM {table} WHERE repo = %s", (repo,))
    searched = searched_fields(rtype)
    numbers = [row[0] for row in conn.execute("SELECT number FROM records WHERE repo = %s ORDER BY number",
                                              (repo,))]
    lengths = _learn(conn, rtype, searched, repo, numbers)
    conn.execute("INSERT INTO search_repositories (repo, records, lengths, learnt_from) VALUES (%s, %s, %s, %s) "
                 "ON CONFLICT (repo) DO UPDATE SET records = excluded.records, lengths = excluded.lengths, "
                 "learnt_from = excluded.learnt_from",
                 (repo, len(numbers), json.dumps(dict(zip((one.name for one in searched), lengths))),
                  len(numbers)))
    for start in range(0, len(numbers), BATCH):
        docs = _docs(conn, rtype, repo, numbers[start:start + BATCH])
        weighed = _weighed(conn, searched, lengths, repo, docs)
        live = {number: not doc.get("deleted") for number, doc in docs.items()}
        _put(conn, conn.execute, repo, weighed, live, {})


def _relearn(records: int, learnt_from: int) -> bool:
    """Has the repository doubled since its fields' lengths were learnt from fewer records than a sample?"""
    return learnt_from < SAMPLE and records >= 2 * max(1, learnt_from)


def _learn(conn, rtype: RepositoryType, searched: tuple[Searched, ...], repo: int, numbers: list[int]
           ) -> list[float]:
    """Each searched field's usual length, from the even sample of the records the embedded index takes."""
    docs = _docs(conn, rtype, repo, list(sample(numbers)))
    passages = record_passages(searched, _file_texts(conn, repo, docs))
    return average_lengths(len(searched), (passages(docs[number]) for number in sorted(docs)))


def _lengths(searched: tuple[Searched, ...], learnt: Mapping[str, float]) -> list[float]:
    """The learnt lengths in the order of the searched fields; a field added since counts as usual (1)."""
    return [float(learnt.get(one.name, 1.0)) for one in searched]


def _docs(conn, rtype: RepositoryType, repo: int, numbers: list[int]) -> dict[int, Doc]:
    """The records' documents in today's names (a row written before a rename is indexed as it reads)."""
    rows = conn.execute("SELECT number, doc FROM records WHERE repo = %s AND number = ANY(%s) ORDER BY number",
                        (repo, numbers)).fetchall()
    renames = renames_of(rtype)
    return {number: dict(renames.values(doc)) if renames is not None else doc for number, doc in rows}


def _file_texts(conn, repo: int, docs: Mapping[int, Doc], searched: tuple[Searched, ...] = ()):
    """The file text lookup of ``record_passages`` for these records: (name, text) of their attachments
    (none asked for when ``searched``, the searched fields, shows that none of the records holds a file)."""
    if searched and not any(doc.get(one.name) for one in searched if one.files for doc in docs.values()):
        return {}.get
    rows = conn.execute("SELECT id, filename, text FROM attachments WHERE repo = %s AND number = ANY(%s) "
                        "AND text <> ''", (repo, list(docs))).fetchall()
    texts = {attachment_id: (filename, text) for attachment_id, filename, text in rows}
    return texts.get


def _weighed(conn, searched: tuple[Searched, ...], lengths: list[float], repo: int, docs: Mapping[int, Doc]
             ) -> dict[int, Weighed]:
    passages = record_passages(searched, _file_texts(conn, repo, docs, searched))
    return {number: weigh(searched, passages(doc), lengths) for number, doc in docs.items()}


# -- the rows ------------------------------------------------------------------------------------------------
def _earlier(conn, repo: int, numbers: list[int]) -> dict[int, tuple[bool, list[str], list[str]]]:
    """What these records gave the dictionary and the vocabulary when last indexed: (counted, terms, words)."""
    rows = conn.execute("SELECT number, counted, terms, words FROM search_records "
                        "WHERE repo = %s AND number = ANY(%s)", (repo, numbers)).fetchall()
    return {number: (counted, terms.split(), words.split()) for number, counted, terms, words in rows}


def _take_back(write, repo: int, earlier: Mapping[int, tuple]) -> None:
    """Remove the weights the records gave before (the counts are adjusted by ``_put``); ``write`` runs a
    statement."""
    if not earlier:
        return
    for table, column, parted in (("search_terms", "term", "string_to_array(terms, ' ')"),
                                  ("search_pairs", "pair", "string_to_array(pairs, ',')")):
        write(f"DELETE FROM {table} t USING (SELECT number, unnest({parted}) AS key FROM search_records "
                     f"WHERE repo = %s AND number = ANY(%s)) AS o "
                     f"WHERE t.repo = %s AND t.{column} = o.key AND t.number = o.number",
                     (repo, list(earlier), repo))
    write("DELETE FROM search_records WHERE repo = %s AND number = ANY(%s)", (repo, list(earlier)))


def _put(conn, write, repo: int, weighed: Mapping[int, Weighed], live: Mapping[int, bool],
         earlier: Mapping[int, tuple]) -> None:
    """Write the records' weights, what each gave, and the changes to the term and word counts: a few
    records' by ``write`` (a statement needing no answer), many by ``COPY`` on ``conn``."""
    terms, words = Counter(), Counter()
    for counted, held, used in earlier.values():
        terms.subtract(held)
        if counted:
            words.subtract(used)
    for number, one in weighed.items():
        terms.update(one.terms.keys())
        if live[number]:
            words.update(one.words)
    if len(weighed) <= FEW:
        _insert(write, repo, weighed, live, terms, words)
    else:
        _copy(conn, "search_terms (repo, term, number, weight)", _lines(repo, _weights(weighed, "terms")))
        _copy(conn, "search_pairs (repo, pair, number, weight)", _lines(repo, _weights(weighed, "pairs")))
        _copy(conn, "search_records (repo, number, counted, terms, pairs, words)",
              (f"{repo}\t{number}\t{'t' if live[number] else 'f'}\t{chr(9).join(_given(one))}\n"
               for number, one in weighed.items()))
        _count(write, "search_dictionary", "term", repo, terms)
        _count(write, "search_words", "word", repo, words)
    _drop_unheld(write, repo, terms, words)


def _given(one: Weighed) -> tuple[str, str, str]:
    """What a record gave, as ``search_records`` keeps it: its terms, pairs and words."""
    return " ".join(one.terms), ",".join(one.pairs), " ".join(sorted(one.words))


#: Up to this many records, their rows go in with one statement; more go by ``COPY``.
FEW = 20
_INSERT = """
WITH t AS (INSERT INTO search_terms (repo, term, number, weight)
           SELECT %(repo)s, * FROM unnest(%(terms)s::text[], %(term_numbers)s::bigint[], %(term_weights)s::real[])),
     p AS (INSERT INTO search_pairs (repo, pair, number, weight)
           SELECT %(repo)s, * FROM unnest(%(pairs)s::text[], %(pair_numbers)s::bigint[], %(pair_weights)s::real[])),
     r AS (INSERT INTO search_records (repo, number, counted, terms, pairs, words)
           SELECT %(repo)s, * FROM unnest(%(numbers)s::bigint[], %(counted)s::boolean[], %(given_terms)s::text[],
                                          %(given_pairs)s::text[], %(given_words)s::text[])),
     d AS (INSERT INTO search_dictionary (repo, term, records)
           SELECT %(repo)s, * FROM unnest(%(held)s::text[], %(held_changes)s::int[])
           ON CONFLICT (repo, term) DO UPDATE SET records = search_dictionary.records + excluded.records)
INSERT INTO search_words (repo, word, records) SELECT %(repo)s, * FROM unnest(%(used)s::text[], %(used_changes)s::int[])
ON CONFLICT (repo, word) DO UPDATE SET records = search_words.records + excluded.records
"""


def _insert(write, repo: int, weighed: Mapping[int, Weighed], live: Mapping[int, bool], terms: Counter,
            words: Counter) -> None:
    """``_put``'s rows in one statement: a save of a record waits for the database once, not seven times."""
    params: dict[str, Any] = {"repo": repo}
    for kind in ("terms", "pairs"):
        rows = _weights(weighed, kind)
        params[kind] = _texts(key for key, _, _ in rows)
        params[f"{kind[:-1]}_numbers"] = _numbers(number for _, number, _ in rows)
        params[f"{kind[:-1]}_weights"] = _numbers(weight for _, _, weight in rows)
    params["numbers"] = _numbers(weighed)
    params["counted"] = "{" + ",".join("t" if live[number] else "f" for number in weighed) + "}"
    given = [_given(one) for one in weighed.values()]
    for place, name in enumerate(("given_terms", "given_pairs", "given_words")):
        params[name] = _texts(one[place] for one in given)
    for name, changes in (("held", terms), ("used", words)):
        changed = sorted(key for key, change in changes.items() if change)
        params[name], params[f"{name}_changes"] = _texts(changed), _numbers(changes[key] for key in changed)
    write(_INSERT, params)


# The arrays ``_insert`` sends, as the text of array literals: a quarter of the time of adapting each item
# (a save's terms and pairs are a few hundred), and safe for the reason ``_copy`` gives: terms, pairs and
# words are runs of letters and digits, joined by spaces and commas, which a quoted item holds as they are.
def _texts(items: Iterable[str]) -> str:
    return "{" + ",".join(f'"{item}"' for item in items) + "}"


def _numbers(items: Iterable[float]) -> str:
    return "{" + ",".join(map(repr, items)) + "}"


def _weights(weighed: Mapping[int, Weighed], kind: str) -> list[tuple[str, int, float]]:
    """(key, number, weight) of one weight table, in the order of its index (many records' rows go in a few
    of its pages instead of one page each). Weights are kept as ``real``, as the embedded index keeps them
    (float32 arrays), so the scores agree to the last bit: rounded here, then written in full."""
    rows = []
    for number, one in weighed.items():
        held: dict[str, float] = getattr(one, kind)
        rows += zip(held, repeat(number), array("f", held.values()).tolist())
    rows.sort()
    return rows


def _lines(repo: int, rows: list[tuple[str, int, float]]) -> Iterator[str]:
    return (f"{repo}\t{key}\t{number}\t{weight!r}\n" for key, number, weight in rows)


def _copy(conn, table: str, lines: Iterator[str]) -> None:
    """``COPY`` rows given as lines of its text format. Every value written here is a number, or words and
    terms, which are runs of letters and digits (``analysis.WORD``) that the format never escapes: joining
    lines is a tenth of the time of escaping each value, and indexing spends most of its time here."""
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for chunk in _chunks(lines):
            copy.write(chunk)


def _chunks(lines: Iterator[str], size: int = 5000) -> Iterator[str]:
    held: list[str] = []
    for line in lines:
        held.append(line)
        if len(held) == size:
            yield "".join(held)
            held = []
    if held:
        yield "".join(held)


def _count(write, table: str, column: str, repo: int, changes: Counter) -> None:
    """Add the changes to the counts (keys in order, so that no two writes wait on each other in turn)."""
    changed = sorted(key for key, change in changes.items() if change)
    if changed:
        write(f"INSERT INTO {table} (repo, {column}, records) SELECT %s, k, c FROM unnest(%s::text[], "
                     f"%s::int[]) AS u (k, c) ON CONFLICT (repo, {column}) DO UPDATE "
                     f"SET records = {table}.records + excluded.records",
                     (repo, changed, [changes[key] for key in changed]))


def _drop_unheld(write, repo: int, terms: Counter, words: Counter) -> None:
    """Drop the terms and words no record holds any more (only a change that took some away can)."""
    for table, column, changes in (("search_dictionary", "term", terms), ("search_words", "word", words)):
        gone = sorted(key for key, change in changes.items() if change < 0)
        if gone:
            write(f"DELETE FROM {table} WHERE repo = %s AND {column} = ANY(%s) AND records <= 0",
                         (repo, gone))
