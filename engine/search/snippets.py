"""Why a record matched: a short passage of its text with the matching words marked.

The passage comes from the field (or attached file) holding the most of the words searched for, the
record's title last, since results show the title anyway. It is returned as plain text pieces, each marked
or not, so that whoever draws it escapes the text and adds the marks (``<mark>`` on a page).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from engine.search.analysis import fold, stem_all, tokens
from engine.search.fields import Searched
from engine.search.index import TextIndex
from engine.search.parse import SearchQuery
from engine.search.weights import Passage

WIDTH = 30              # words shown
LEAD = 5                # words shown before the first match


@dataclass(frozen=True)
class Snippet:
    where: str                              # the field's label, or the attached file's name
    in_file: bool
    parts: tuple[tuple[str, bool], ...]     # (text, is it a match)
    starts_inside: bool                     # text was left out before the passage
    ends_inside: bool                       # and after it


def snippet(index: TextIndex, ref: str, query: SearchQuery, title: str) -> Snippet | None:
    """The snippet of one record of the embedded index."""
    return passage_snippet(index.searched, index.passages(index.docs[ref]), query, title)


def passage_snippet(searched: tuple[Searched, ...], passages: list[Passage], query: SearchQuery,
                    title: str) -> Snippet | None:
    """The snippet of a record of these passages (any backend: it needs the record's text only)."""
    wanted = set(query.words)
    prefixes = tuple(clause.prefix for clause in query.clauses if clause.prefix)
    beginnings = [beginning(term) for term in wanted] + [prefix[:4] for prefix in prefixes]
    best, best_rank = None, None
    # A passage ranks by (not the title, how many of the words searched for it holds, its field's weight).
    # Each word found begins with its beginning, so counting beginnings bounds that rank from above: the
    # passages are split into words best bound first, and no further once no bound can beat the best.
    for bound, passage in _bounded(searched, passages, beginnings, title):
        if best_rank is not None and bound <= best_rank:
            break
        found = list(tokens(passage.text))
        analysed = stem_all([token.word for token in found])
        keys = [term if term in wanted else _prefix_of(token.word, prefixes)
                for token, term in zip(found, analysed)]
        hits = [number for number, key in enumerate(keys) if key is not None]
        if not hits:
            continue
        rank = (bound[0], len({keys[number] for number in hits}), bound[2])
        if best_rank is None or rank > best_rank:
            best, best_rank = (passage, found, hits), rank
    if best is None or not best_rank[0]:
        return None
    passage, found, hits = best
    return _window(passage.text, found, hits, searched[passage.slot].field.label, passage.filename)


def _prefix_of(word: str, prefixes: tuple[str, ...]) -> str | None:
    """The prefix searched for that ``word`` begins with, if any."""
    if not prefixes or not word.startswith(prefixes):
        return None
    return next(prefix for prefix in prefixes if word.startswith(prefix))


def _bounded(searched: tuple[Searched, ...], passages: list[Passage], beginnings: list[str], title: str) -> list:
    """The record's passages that may hold a match, each with the best rank it could have, best first (in
    field order among equals)."""
    found = []
    for passage in passages:
        folded = fold(passage.text)
        present = sum(1 for one in beginnings if one in folded)
        if present:
            field = searched[passage.slot]
            found.append(((field.name != title, present, field.weight), passage))
    found.sort(key=lambda item: item[0], reverse=True)
    return found


def beginning(term: str) -> str:
    """Letters every word with this term begins with: a passage without them holds no match and is not split
    into words at all. The stemmer changes a term's end (policy -> polici) and, in a few words, a y inside
    it (lying -> lie): at most four letters, not the last, and none from the first i on."""
    found = term[:min(4, len(term) - 1)]
    cut = found.find("i", 1)
    return found[:cut] if cut > 0 else found


def _window(text: str, found: list, hits: list[int], label: str, filename: str | None) -> Snippet:
    """The WIDTH words holding the most matches, from a little before the first of them."""
    first, most = hits[0], 0
    for number, hit in enumerate(hits):
        count = bisect.bisect_left(hits, hit + WIDTH - LEAD) - number
        if count > most:
            first, most = hit, count
    start = max(0, first - LEAD)
    end = min(len(found), start + WIDTH)
    marked = set(hits)
    parts: list[tuple[str, bool]] = []
    position = found[start].start
    for number in range(start, end):
        token = found[number]
        if number in marked:
            if token.start > position:
                parts.append((_flat(text[position:token.start]), False))
            parts.append((text[token.start:token.end], True))
            position = token.end
    parts.append((_flat(text[position:found[end - 1].end]), False))
    return Snippet(filename or label, filename is not None, tuple(part for part in parts if part[0]),
                   start > 0, end < len(found))


def _flat(text: str) -> str:
    return " ".join(text.split()) if "\n" in text or "  " in text else text
