""""Did you mean …?": the query again with each word that matched nothing replaced by the closest word the
repository's own records use (at most one letter off for short words, two for longer ones)."""
from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from engine.search.index import TextIndex
from engine.search.parse import SearchQuery

SHORTEST = 4            # words shorter than this are left as typed: too many words are one letter away


def suggestion(index: TextIndex, query: SearchQuery) -> str | None:
    words, changed = [], False
    for clause in query.clauses:
        word = clause.text
        if _unknown(index, clause) and len(word) >= SHORTEST and " " not in word:
            better = closest(index, word)
            if better:
                words.append(better)
                changed = True
                continue
        words.append(word)
    return " ".join(words) if changed else None


def _unknown(index: TextIndex, clause) -> bool:
    return all(not term.is_phrase and term.terms[0] not in index.postings for term in clause.alternatives)


def closest(index: TextIndex, word: str) -> str | None:
    vocabulary = index.memo.get("vocabulary")
    if vocabulary is None:
        vocabulary = index.memo["vocabulary"] = [known for known, count in index.vocabulary.items()
                                                 if count > 0 and len(known) >= SHORTEST - 1]
    allowed = 1 if len(word) <= 5 else 2
    found = process.extract(word, vocabulary, scorer=Levenshtein.distance, score_cutoff=allowed, limit=20)
    if not found:
        return None
    return min(found, key=lambda match: (match[1], -index.vocabulary[match[0]], match[0]))[0]
