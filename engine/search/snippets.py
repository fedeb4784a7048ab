"""Why a record matched: a short passage of its text with the matching words marked.

The passage comes from the field (or attached file) holding the most of the words searched for, the
record's title last, since results show the title anyway. It is returned as plain text pieces, each marked
or not, so that whoever draws it escapes the text and adds the marks (``<mark>`` on a page).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from engine.search.analysis import fold, stem_all, tokens
from engine.search.index import TextIndex
from engine.search.parse import SearchQuery

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
    wanted = set(query.words)
    prefixes = tuple(clause.prefix for clause in query.clauses if clause.prefix)
    # A word's term begins with the word's first letters (falls -> fall, policy -> polici): a passage
    # holding none of those beginnings cannot hold a match, and is not split into words at all.
    beginnings = {term[:4] for term in wanted} | {prefix[:4] for prefix in prefixes}
    best, best_rank = None, None
    for passage in index.passages(index.docs[ref]):
        folded = fold(passage.text)
        if not any(beginning in folded for beginning in beginnings):
            continue
        found = list(tokens(passage.text))
        analysed = stem_all([token.word for token in found])
        hits = [number for number, (token, term) in enumerate(zip(found, analysed))
                if term in wanted or token.word.startswith(prefixes or ("\0",))]
        if not hits:
            continue
        searched = index.searched[passage.slot]
        rank = (searched.name != title, len({analysed[number] for number in hits}), searched.weight)
        if best_rank is None or rank > best_rank:
            best, best_rank = (passage, found, hits), rank
    if best is None or not best_rank[0]:
        return None
    passage, found, hits = best
    return _window(passage.text, found, hits, index.searched[passage.slot].field.label, passage.filename)


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
