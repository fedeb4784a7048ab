"""The in-memory full-text index of one repository's records: derived data, never the source of truth.

Built from the stored documents on first search, then carried from one snapshot of the data to the next by
indexing only the records a write changed (as ``engine.store.index`` does for filters and sort). Nothing is
written to disk, so it can never be stale or damaged: every worker process builds its own from the records.

Layout, chosen for memory (about 8 bytes per distinct term of a record):
- each record version has a number (``docno``); ``refs[docno]`` is its reference, ``alive`` says whether it
  is the current version of that record;
- ``postings[term]`` holds two parallel arrays: the docnos holding the term, ascending, and the term's
  BM25F weight there (field weights and length normalisation applied, then saturated; ``ranking.py``);
- ``pairs["w1 w2"]`` the same for two terms side by side, which is how phrases are found without keeping
  every word's position (an attached file's pairs are taken from its first ``PAIRED_IN_FILES`` words only);
- ``vocabulary`` counts the live (not deleted) records holding each folded word, for "Did you mean", which
  must never offer a word only a deleted record holds.
An edit gives the record a new docno; the arrays a write touches are copied before appending, because the
previous snapshot's readers still hold them.
"""
from __future__ import annotations

import bisect
from array import array
from collections import Counter
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple

from engine.search.analysis import stem_all, words
from engine.search.fields import Searched
from engine.search.memo import Memo

Doc = Mapping[str, Any]
K1, B = 1.2, 0.75               # BM25: how fast repeats stop counting, how much field length matters
SAMPLE = 500                    # records read to learn each field's usual length
PAIRED_IN_FILES = 1000          # words of an attached file whose pairs are kept (memory: see module notes)


def saturate(tf: float) -> float:
    return tf * (K1 + 1) / (K1 + tf)


class Passage(NamedTuple):
    """A piece of a record's text in one searched field; ``filename`` when it is an attached file's text."""
    slot: int                   # position of the field in ``TextIndex.searched``
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


class TextIndex:
    def __init__(self, searched: tuple[Searched, ...], passages: Passages, docs: Mapping[str, Doc]):
        self.searched = searched
        self.passages = passages
        self.docs = docs
        self.refs: list[str] = []
        self.docno: dict[str, int] = {}
        self.alive = bytearray()
        self.postings: dict[str, tuple[array, array]] = {}
        self.pairs: dict[str, tuple[array, array]] = {}
        self.vocabulary: Counter[str] = Counter()
        self.average = self._average_lengths(docs)
        self._sorted_terms: list[str] | None = None
        self.memo = Memo()
        for ref, doc in docs.items():
            self._add(ref, doc)

    # -- reading ----------------------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """How many current records the index holds (its N)."""
        return len(self.docno)

    def live_ref(self, docno: int) -> str | None:
        return self.refs[docno] if self.alive[docno] else None

    def terms_starting(self, prefix: str, limit: int) -> list[str]:
        """The most common terms beginning with ``prefix`` (longer than it), at most ``limit``."""
        ordered = self.sorted_terms()
        start = bisect.bisect_left(ordered, prefix)
        found = []
        for term in ordered[start:]:
            if not term.startswith(prefix):
                break
            if term != prefix:
                found.append(term)
        found.sort(key=lambda term: -len(self.postings[term][0]))
        return found[:limit]

    def sorted_terms(self) -> list[str]:
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self.postings)
        return self._sorted_terms

    # -- carried forward --------------------------------------------------------------------------------
    def derive(self, docs: Mapping[str, Doc], changed: Iterable[str]) -> "TextIndex":
        """The index of ``docs``, which differ from this index's documents only in ``changed``."""
        following = TextIndex.__new__(TextIndex)
        following.searched, following.passages, following.docs = self.searched, self.passages, docs
        following.refs, following.docno, following.alive = list(self.refs), dict(self.docno), bytearray(self.alive)
        following.postings, following.pairs = dict(self.postings), dict(self.pairs)
        following.vocabulary = Counter(self.vocabulary)
        following.average, following.memo = self.average, Memo()
        following._sorted_terms = list(self._sorted_terms) if self._sorted_terms is not None else None
        copied: set[tuple[bool, str]] = set()
        for ref in dict.fromkeys(changed):
            if ref in docs:
                earlier = self.docs.get(ref)
                if earlier is not None and not earlier.get("deleted"):
                    following.vocabulary.subtract(following._folded(earlier))
                following._add(ref, docs[ref], copied)
        return following

    # -- building ---------------------------------------------------------------------------------------
    def _add(self, ref: str, doc: Doc, copied: set[tuple[bool, str]] | None = None) -> None:
        """Index ``doc`` as the current version of ``ref``. ``copied``: the arrays already copied in this
        derive (None while building, when the arrays belong to this index alone)."""
        earlier = self.docno.get(ref)
        if earlier is not None:
            self.alive[earlier] = 0
        docno = len(self.refs)
        self.refs.append(ref)
        self.alive.append(1)
        self.docno[ref] = docno
        terms, pairs = self._weights(doc)
        for table, weights in ((self.postings, terms), (self.pairs, pairs)):
            for term, weight in weights.items():
                found = table.get(term)
                if found is None:
                    found = table[term] = (array("i"), array("f"))
                    if table is self.postings and self._sorted_terms is not None:
                        bisect.insort(self._sorted_terms, term)
                elif copied is not None and (table is self.pairs, term) not in copied:
                    found = table[term] = (array("i", found[0]), array("f", found[1]))
                if copied is not None:
                    copied.add((table is self.pairs, term))
                found[0].append(docno)
                found[1].append(weight)

    def _weights(self, doc: Doc) -> tuple[dict[str, float], dict[str, float]]:
        """Each term's and pair's BM25F weight in this record, saturated (``ranking.py`` has the formula)."""
        terms: dict[str, float] = {}
        pairs: dict[str, float] = {}
        seen: set[str] = set()
        for slot, counts, paired, length in self._counted(doc, seen):
            share = self.searched[slot].weight / (1 - B + B * length / self.average[slot])
            for weighted, counted in ((terms, counts), (pairs, paired)):
                for term, count in counted.items():
                    weighted[term] = weighted.get(term, 0.0) + count * share
        if not doc.get("deleted"):
            self.vocabulary.update(seen)
        return ({term: saturate(tf) for term, tf in terms.items()},
                {pair: saturate(tf) for pair, tf in pairs.items()})

    def _counted(self, doc: Doc, seen: set[str] | None = None) -> Iterator[tuple[int, Counter, Counter, int]]:
        """Per searched field: how often each term and each pair of terms occurs, and how many words it has."""
        slots: dict[int, tuple[Counter, Counter, list[int]]] = {}
        for passage in self.passages(doc):
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

    def _folded(self, doc: Doc) -> set[str]:
        """The distinct folded words of a record."""
        return {word for passage in self.passages(doc) for word in words(passage.text)}

    def _average_lengths(self, docs: Mapping[str, Doc]) -> list[float]:
        """Each field's average length in words, from an even sample of the records (at least 1)."""
        totals, counted = [0] * len(self.searched), 0
        step = max(1, len(docs) // SAMPLE)
        for doc in list(docs.values())[::step]:
            counted += 1
            for slot, _, _, length in self._counted(doc):
                totals[slot] += length
        return [max(1.0, total / counted) if counted else 1.0 for total in totals]
