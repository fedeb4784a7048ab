"""What a record gives the full-text index: each term's and each pair's BM25F weight in it, and its words.

One rule for every backend: the embedded ``TextIndex`` keeps these weights in arrays, the PostgreSQL backend
in rows (``engine.store.postgres.search``), so a record scores the same wherever it is kept.

- A record's text is a list of ``Passage``: each searched field's text, as its field type gives it, and the
  text of each file a file field holds.
- A term's weight adds up its occurrences in each searched field times the field's weight, each field's count
  scaled by its length against that field's usual length, then saturated (``ranking.py`` has the formula);
  pairs (two terms side by side, which is how phrases are found) are weighed the same way. An attached file's
  pairs are taken from its first ``PAIRED_IN_FILES`` words only.
- A field's usual length is learnt from an even sample of the records (``average_lengths``).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from engine.search.analysis import stem_all, words
from engine.search.fields import Searched

Doc = Mapping[str, Any]
K1, B = 1.2, 0.75               # BM25: how fast repeats stop counting, how much field length matters
SAMPLE = 500                    # records read to learn each field's usual length
PAIRED_IN_FILES = 1000          # words of an attached file whose pairs are kept (memory: see module notes)


def saturate(tf: float) -> float:
    return tf * (K1 + 1) / (K1 + tf)


class Passage(NamedTuple):
    """A piece of a record's text in one searched field; ``filename`` when it is an attached file's text."""
    slot: int                   # position of the field in the searched fields
    text: str
    filename: str | None = None


Passages = Callable[[Doc], list[Passage]]
#: An attached file's name and extracted text by its id (None: no such file, or no text).
FileText = Callable[[str], "tuple[str, str] | None"]


def record_passages(searched: tuple[Searched, ...], file_text: FileText) -> Passages:
    """How to read a stored document's searched text: each searched field's text, as its field type gives
    it, and the text of each file a file field holds."""
    def passages(doc: Doc) -> list[Passage]:
        found = []
        for slot, one in enumerate(searched):
            value = doc.get(one.name)
            if value is None:
                continue
            if not one.files:
                found.append(Passage(slot, one.field.kind.search_text(one.field, value)))
                continue
            # One id or a list of them (engine.fields.values.as_list; not imported: the field types import
            # the store, which imports search)
            for attachment_id in (value if isinstance(value, list) else [value]):
                named = file_text(attachment_id)
                if named is not None:
                    found.append(Passage(slot, named[1], named[0]))
        return found
    return passages


@dataclass(frozen=True)
class Weighed:
    """What one record gives the index: term -> weight, "term term" -> weight, its distinct folded words
    (the vocabulary "Did you mean" chooses from)."""
    terms: dict[str, float]
    pairs: dict[str, float]
    words: set[str]


def weigh(searched: tuple[Searched, ...], passages: Iterable[Passage], average: Sequence[float]) -> Weighed:
    """Each term's and pair's BM25F weight in a record of these passages, saturated."""
    terms: dict[str, float] = {}
    pairs: dict[str, float] = {}
    seen: set[str] = set()
    for slot, counts, paired, length in counted(passages, seen):
        share = searched[slot].weight / (1 - B + B * length / average[slot])
        for weighted, tally in ((terms, counts), (pairs, paired)):
            for term, count in tally.items():
                weighted[term] = weighted.get(term, 0.0) + count * share
    return Weighed({term: saturate(tf) for term, tf in terms.items()},
                   {pair: saturate(tf) for pair, tf in pairs.items()}, seen)


def counted(passages: Iterable[Passage], seen: set[str] | None = None
            ) -> Iterator[tuple[int, Counter, Counter, int]]:
    """Per searched field: how often each term and each pair of terms occurs, and how many words it has.
    ``seen`` gathers the folded words on the way (one pass over the text)."""
    slots: dict[int, tuple[Counter, Counter, list[int]]] = {}
    for passage in passages:
        folded = words(passage.text)
        analysed = stem_all(folded)
        terms, pairs, length = slots.setdefault(passage.slot, (Counter(), Counter(), [0]))
        terms.update(analysed)
        paired = analysed[:PAIRED_IN_FILES] if passage.filename is not None else analysed
        pairs.update(map(" ".join, zip(paired, paired[1:])))
        length[0] += len(folded)
        if seen is not None:
            seen.update(folded)
    for slot, (terms, pairs, length) in slots.items():
        yield slot, terms, pairs, length[0]


def folded_words(passages: Iterable[Passage]) -> set[str]:
    """The distinct folded words of a record."""
    return {word for passage in passages for word in words(passage.text)}


def distinct_terms(passages: Iterable[Passage]) -> set[str]:
    """The distinct terms of a record."""
    return {term for passage in passages for term in stem_all(words(passage.text))}


def sample(docs: Sequence[Doc]) -> Sequence[Doc]:
    """An even sample of about ``SAMPLE`` records, in their order (every one of a small repository)."""
    return docs[::max(1, len(docs) // SAMPLE)]


def average_lengths(slots: int, passages: Iterable[list[Passage]]) -> list[float]:
    """Each of ``slots`` fields' average length in words over the records of ``passages`` (at least 1)."""
    totals, records = [0] * slots, 0
    for one in passages:
        records += 1
        for slot, _, _, length in counted(one):
            totals[slot] += length
    return [max(1.0, total / records) if records else 1.0 for total in totals]
