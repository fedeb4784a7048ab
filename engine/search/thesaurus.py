"""The trust's thesaurus as search uses it: groups of equivalent terms, looked up by their analysed words.

``schemas/thesaurus.yaml`` (read and checked by ``engine.schema.thesaurus``) gives synonym groups,
abbreviations with their long forms, and UK/US spelling pairs; all three become groups of equivalent
terms. It is applied to queries only, so changing it changes no stored data: a search for any term of a
group also looks for the others, each as a phrase of its analysed words.
"""
from __future__ import annotations

from dataclasses import dataclass, field

Terms = tuple[str, ...]       # the analysed words of one term: ('pressur', 'ulcer')


@dataclass(frozen=True)
class Entry:
    """One term of a group as the library team wrote it, and its analysed words."""
    text: str
    terms: Terms


@dataclass(frozen=True)
class Thesaurus:
    groups: tuple[tuple[Entry, ...], ...] = ()
    _by_terms: dict[Terms, tuple[int, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)
    #: How many words the longest term has: every word of every query is matched against terms up to it.
    longest: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_terms: dict[Terms, list[int]] = {}
        for number, group in enumerate(self.groups):
            for entry in group:
                by_terms.setdefault(entry.terms, []).append(number)
        self._by_terms.update({terms: tuple(numbers) for terms, numbers in by_terms.items()})
        object.__setattr__(self, "longest", max(map(len, self._by_terms), default=0))

    def equivalents(self, terms: Terms) -> tuple[Entry, ...]:
        """Every other term meaning what ``terms`` means (all its groups), without ``terms`` itself."""
        found: dict[Terms, Entry] = {}
        for number in self._by_terms.get(terms, ()):
            for entry in self.groups[number]:
                if entry.terms != terms:
                    found.setdefault(entry.terms, entry)
        return tuple(found.values())

    def match(self, words: list[str], start: int) -> int:
        """How many words from ``start`` form the longest term of the thesaurus (0: none)."""
        for length in range(min(self.longest, len(words) - start), 0, -1):
            if tuple(words[start:start + length]) in self._by_terms:
                return length
        return 0


EMPTY = Thesaurus()
