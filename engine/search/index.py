"""The in-memory full-text index of one repository's records: derived data, never the source of truth.

Built from the stored documents on first search, then carried from one snapshot of the data to the next by
indexing only the records a write changed (as ``engine.store.index`` does for filters and sort). Nothing is
written to disk, so it can never be stale or damaged: every worker process builds its own from the records.

Layout, chosen for memory (about 8 bytes per distinct term of a record):
- each record version has a number (``docno``); ``refs[docno]`` is its reference, ``alive`` says whether it
  is the current version of that record;
- ``postings[term]`` holds two parallel arrays: the docnos holding the term, ascending, and the term's
  BM25F weight there, as ``weights.py`` weighs it (the rule every backend shares);
- ``pairs["w1 w2"]`` the same for two terms side by side, which is how phrases are found without keeping
  every word's position;
- ``held`` counts the current records holding each term (its idf: an earlier version of an edited record
  no longer counts), and ``vocabulary`` the live (not deleted) records holding each folded word, for "Did
  you mean", which must never offer a word only a deleted record holds.
An edit gives the record a new docno; the arrays a write touches are copied before appending, because the
previous snapshot's readers still hold them.
"""
from __future__ import annotations

import bisect
from array import array
from collections import Counter
from typing import Iterable, Mapping

from engine.search.fields import Searched
from engine.search.memo import Memo
# FileText and record_passages are the store's (engine.store.index) to give an index its text.
from engine.search.weights import (Doc, FileText, Passages, average_lengths, distinct_terms,  # noqa: F401
                                   folded_words, record_passages, sample, weigh)


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
        self.held: Counter[str] = Counter()
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
            if term != prefix and self.held[term] > 0:
                found.append(term)
        found.sort(key=lambda term: -self.held[term])
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
        following.held, following.vocabulary = Counter(self.held), Counter(self.vocabulary)
        following.average, following.memo = self.average, Memo()
        following._sorted_terms = list(self._sorted_terms) if self._sorted_terms is not None else None
        copied: set[tuple[bool, str]] = set()
        for ref in dict.fromkeys(changed):
            if ref in docs:
                earlier = self.docs.get(ref)
                if earlier is not None:
                    following._take_back(earlier)
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
        """Each term's and pair's weight in this record (``weights.py``); its words join the vocabulary
        unless it is deleted ("Did you mean" never offers a word only a deleted record holds)."""
        weighed = weigh(self.searched, self.passages(doc), self.average)
        self.held.update(weighed.terms.keys())
        if not doc.get("deleted"):
            self.vocabulary.update(weighed.words)
        return weighed.terms, weighed.pairs

    def _take_back(self, doc: Doc) -> None:
        """The counts of a record's version that another replaces."""
        passages = self.passages(doc)
        self.held.subtract(distinct_terms(passages))
        if not doc.get("deleted"):
            self.vocabulary.subtract(folded_words(passages))

    def _average_lengths(self, docs: Mapping[str, Doc]) -> list[float]:
        """Each field's average length in words, from an even sample of the records."""
        return average_lengths(len(self.searched), map(self.passages, sample(list(docs.values()))))
