""""Did you mean …?": the query again with each word that matched nothing replaced by the closest word the
repository's own records use (at most one letter off for short words, two for longer ones).

The rule is here once; a backend says only which terms its index holds and which words its live records use
(``suggest``): the embedded ``TextIndex`` from memory, PostgreSQL from its vocabulary table."""
from __future__ import annotations

from typing import Callable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from engine.search.index import TextIndex
from engine.search.parse import Clause, SearchQuery

SHORTEST = 4            # words shorter than this are left as typed: too many words are one letter away

#: Words of live records near a word (any superset of those within ``allowed(word)`` letters), with how
#: many live records hold each.
Nearby = Callable[[str], Mapping[str, int]]


def suggestion(index: TextIndex, query: SearchQuery) -> str | None:
    """The suggestion of the embedded index."""
    return suggest(query, lambda term: index.held[term] > 0, lambda word: _vocabulary(index))


def suggest(query: SearchQuery, holds: Callable[[str], bool], nearby: Nearby) -> str | None:
    """``holds(term)``: does any record hold this term? ``nearby``: see ``Nearby``."""
    words, changed = [], False
    for clause in query.clauses:
        word = clause.text
        if unknown(clause, holds) and len(word) >= SHORTEST and " " not in word:
            better = closest(word, nearby(word))
            if better:
                words.append(better)
                changed = True
                continue
        words.append(word)
    return " ".join(words) if changed else None


def unknown(clause: Clause, holds: Callable[[str], bool]) -> bool:
    """A clause of single words that no record holds (a phrase is never corrected)."""
    return all(not term.is_phrase and not holds(term.terms[0]) for term in clause.alternatives)


def allowed(word: str) -> int:
    """How many letters a suggestion may differ by."""
    return 1 if len(word) <= 5 else 2


def closest(word: str, vocabulary: Mapping[str, int]) -> str | None:
    """The nearest word of ``vocabulary`` (word -> live records holding it), the most used among equals,
    then the first in alphabetical order."""
    found = process.extract(word, list(vocabulary), scorer=Levenshtein.distance, score_cutoff=allowed(word),
                            limit=None)
    if not found:
        return None
    return min(found, key=lambda match: (match[1], -vocabulary[match[0]], match[0]))[0]


def _vocabulary(index: TextIndex) -> Mapping[str, int]:
    """The index's words worth offering (held by a live record, not too short), remembered with it."""
    vocabulary = index.memo.get("vocabulary")
    if vocabulary is None:
        vocabulary = index.memo["vocabulary"] = {known: count for known, count in index.vocabulary.items()
                                                 if count > 0 and len(known) >= SHORTEST - 1}
    return vocabulary
